using System.Formats.Tar;
using System.Text.Json;
using ClipSharp.Data;
using ClipSharp.Data.Images;
using ClipSharp.Scenes;
using ClipSharp.Text;

namespace ClipSharp.Tests.Data.Loading;

/// <summary>
/// A small built-in world (120 training samples at 32 px in 4 shards of 30), generated once per test run, plus
/// helpers to build loader options over it and to read its shards directly.
/// </summary>
internal static class TestWorld
{
    public const int Samples = 120, ShardSize = 30, ImageSize = 32;
    private static readonly Lazy<string> Root = new(() =>
    {
        var dir = Support.TestPaths.NewTempDir("clipsharp-data-world");
        WorldGenerator.Generate(new WorldGenerationOptions(dir, Train: Samples, Eval: 0, Bags: 0, ImageSize: ImageSize,
            Seed: 5, Threads: 2, ShardSize: ShardSize));
        return dir;
    });
    private static readonly Lazy<ClipsWordPieceTokenizer> Tok = new(() => ClipsWordPieceTokenizer.FromFile(Path.Combine(Dir, "vocab.txt"), 32));

    public static string Dir => Root.Value;
    public static string ShardPattern => Path.Combine(Dir, "train", "train-{000000..000003}.tar");
    public static ITextTokenizer Tokenizer => Tok.Value;
    public static PreprocessConfig Preprocess => PreprocessConfig.Clips(24);

    public static LoaderOptions Options(int batch = 20, int workers = 2, ulong seed = 1, bool augment = false, bool allViews = false, bool jitter = false) => new()
    {
        Sources = [DataSourceSpec.Wds(ShardPattern)],
        BatchSize = batch,
        Workers = workers,
        ShuffleBuffer = 64,
        Seed = seed,
        Preprocess = Preprocess,
        Augment = augment ? (jitter ? TrainAugmentConfig.Clipa : TrainAugmentConfig.Default) with { ScaleMin = 0.5 } : null,
        Captions = allViews
            ? new CaptionViewOptions
            {
                Tokenizer = Tokenizer, Partial = new TokenReductionOptions(), SyntheticFull = true, TargetLength = 40, MixWebProbability = 0.5,
            }
            : new CaptionViewOptions { Tokenizer = Tokenizer },
    };

    /// <summary>key -> (json org_caption, json re_caption, image bytes), read with System.Formats.Tar.</summary>
    public static Dictionary<string, (string Web, string Synthetic, byte[] Image)> ReadAll()
    {
        var result = new Dictionary<string, (string, string, byte[])>();
        foreach (var shard in Directory.GetFiles(Path.Combine(Dir, "train"), "*.tar"))
        {
            using var reader = new TarReader(File.OpenRead(shard));
            var parts = new Dictionary<string, byte[]>();
            while (reader.GetNextEntry() is { } e)
            {
                var ms = new MemoryStream();
                e.DataStream!.CopyTo(ms);
                parts[e.Name] = ms.ToArray();
            }
            foreach (var key in parts.Keys.Where(k => k.EndsWith(".jpg")).Select(k => k[..^4]))
            {
                using var doc = JsonDocument.Parse(parts[key + ".json"]);
                result[key] = (doc.RootElement.GetProperty("org_caption").GetString()!, doc.RootElement.GetProperty("re_caption").GetString()!,
                    parts[key + ".jpg"]);
            }
        }
        return result;
    }

    /// <summary>Keys and tensor contents of the first <paramref name="count"/> batches.</summary>
    public static List<BatchSnapshot> Take(DataLoader loader, int count, LoaderPosition? start = null)
    {
        var list = new List<BatchSnapshot>();
        foreach (var b in loader.Batches(start))
        {
            using (b) list.Add(BatchSnapshot.Of(b));
            if (list.Count == count) break;
        }
        return list;
    }
}

/// <summary>A batch copied out of its tensors, comparable by value.</summary>
internal sealed record BatchSnapshot(string[] Keys, LoaderPosition Position, float[] Images, Dictionary<string, long[]> Rows)
{
    public static BatchSnapshot Of(TrainBatch b) => new(
        b.Keys.ToArray(), b.Position, b.Images.data<float>().ToArray(),
        b.Texts.Present().ToDictionary(v => v.View.ToString().ToLowerInvariant(), v => v.Value.data<long>().ToArray()));

    public void AssertSame(BatchSnapshot other, string what)
    {
        Assert.True(Keys.SequenceEqual(other.Keys), $"{what}: keys differ: [{string.Join(",", Keys)}] vs [{string.Join(",", other.Keys)}]");
        Assert.Equal(Position, other.Position);
        Assert.True(Images.AsSpan().SequenceEqual(other.Images), $"{what}: images differ");
        Assert.Equal(Rows.Keys.Order(), other.Rows.Keys.Order());
        foreach (var (k, v) in Rows) Assert.True(v.AsSpan().SequenceEqual(other.Rows[k]), $"{what}: {k} rows differ");
    }
}
