using ClipSharp.Data.Images;
using ClipSharp.Modeling;
using ClipSharp.Scenes;
using ClipSharp.Tests.Support;
using ClipSharp.Text;
using NetVips;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Evaluation;

/// <summary>The tiny CLIPS test model (random init), the world's WordPiece tokenizer, and small image files.</summary>
internal static class EvalTestModels
{
    public static ClipsModel TinyClips(long seed = 3)
    {
        manual_seed(seed);
        var cfg = ModelFactory.LoadConfig(Path.Combine(TestPaths.RepoRoot, "configs", "models", "test-clips-tiny.json")).Model;
        var m = (ClipsModel)ModelFactory.Create(cfg);
        m.eval();
        return m;
    }

    public static ITextTokenizer WorldTokenizer()
    {
        var path = Path.Combine(TestPaths.NewTempDir("vocab"), "vocab.txt");
        WorldVocabulary.Write(path);
        return ClipsWordPieceTokenizer.FromFile(path);
    }

    public static EvalTransform Transform64() => new(PreprocessConfig.Clips(64));

    /// <summary>A distinct small RGB image (colour and gradient from <paramref name="seed"/>) written as PNG/JPEG.</summary>
    public static void WriteImage(string path, int seed, int w = 48, int h = 40)
    {
        var rng = new Random(seed);
        var bytes = new byte[w * h * 3];
        int r0 = rng.Next(256), g0 = rng.Next(256), b0 = rng.Next(256), step = rng.Next(1, 5);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = (y * w + x) * 3;
                bytes[i] = (byte)(r0 + x * step); bytes[i + 1] = (byte)(g0 + y * step); bytes[i + 2] = (byte)(b0 + (x ^ y));
            }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var img = Image.NewFromMemory(bytes, w, h, 3, Enums.BandFormat.Uchar);
        img.WriteToFile(path);
    }

    /// <summary>Ranks by sorting a full similarity matrix in doubles: the reference the blocked scorer must match.</summary>
    public static (int[] ImageRanks, int[] TextRanks) BruteForceRanks(float[,] img, float[,] txt, IReadOnlyList<int> owner)
    {
        int n = img.GetLength(0), m = txt.GetLength(0), e = img.GetLength(1);
        var sim = new double[n, m];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
            {
                double s = 0;
                for (int k = 0; k < e; k++) s += (double)img[i, k] * txt[j, k];
                sim[i, j] = s;
            }
        var textRanks = new int[m];
        for (int j = 0; j < m; j++)
        {
            var order = Enumerable.Range(0, n).OrderByDescending(i => sim[i, j]).ToList();
            textRanks[j] = order.IndexOf(owner[j]);
        }
        var imageRanks = new List<int>();
        for (int i = 0; i < n; i++)
        {
            var order = Enumerable.Range(0, m).OrderByDescending(j => sim[i, j]).ToList();
            var mine = order.Select((j, pos) => (j, pos)).Where(t => owner[t.j] == i).Select(t => t.pos).DefaultIfEmpty(-1).Min();
            if (mine >= 0) imageRanks.Add(mine);
        }
        return (imageRanks.ToArray(), textRanks);
    }

    public static float[,] ToArray(Tensor t)
    {
        var c = t.to(ScalarType.Float32).cpu().contiguous();
        int r = (int)c.shape[0], k = (int)c.shape[1];
        var flat = c.data<float>().ToArray();
        var a = new float[r, k];
        Buffer.BlockCopy(flat, 0, a, 0, flat.Length * sizeof(float));
        return a;
    }
}
