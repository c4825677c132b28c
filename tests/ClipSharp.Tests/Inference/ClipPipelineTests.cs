using ClipSharp.Encoders;
using System.Text.Json;
using ClipSharp.Checkpoints;
using ClipSharp.Core;
using ClipSharp.Data.Images;
using ClipSharp.Inference;
using ClipSharp.Modeling;
using ClipSharp.Scenes;
using ClipSharp.Tests.Evaluation;
using ClipSharp.Tests.Support;
using ClipSharp.Text;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Inference;

/// <summary>The inference facade on a run-directory layout written here from a tiny random CLIPS model.</summary>
public class ClipPipelineTests
{
    /// <summary>A run directory: open_clip_config.json {model_cfg, preprocess_cfg}, model.safetensors, vocab.txt; and the model.</summary>
    internal static (string Dir, ClipsModel Model) RunDirectory(long seed = 5)
    {
        var dir = TestPaths.NewTempDir("rundir");
        var model = EvalTestModels.TinyClips(seed);
        var cfgJson = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "configs", "models", "test-clips-tiny.json"));
        File.WriteAllText(Path.Combine(dir, "open_clip_config.json"),
            $"{{\"model_cfg\": {cfgJson}, \"preprocess_cfg\": {PreprocessConfig.Clips(64).ToJson()}}}");
        SafeTensorsWriter.Save(Path.Combine(dir, "model.safetensors"), model.state_dict());
        WorldVocabulary.Write(Path.Combine(dir, "vocab.txt"));
        return (dir, model);
    }

    private static List<string> Images(int n)
    {
        var dir = TestPaths.NewTempDir("pipeimg");
        return Enumerable.Range(0, n).Select(i =>
        {
            var p = Path.Combine(dir, $"{i}.{(i % 2 == 0 ? "png" : "jpg")}");
            EvalTestModels.WriteImage(p, 100 + i);
            return p;
        }).ToList();
    }

    [Fact]
    public void RunDirectoryEmbeddingsEqualTheModelsOwn()
    {
        var (dir, model) = RunDirectory();
        var images = Images(5);
        using var pipe = ClipPipeline.Load(dir, new ClipPipelineOptions { BatchSize = 2 });
        Assert.True(pipe.CanCaption);
        Assert.Equal(64, pipe.EmbeddingDim);
        Assert.Equal(PreprocessConfig.Clips(64), pipe.Transform.Config);
        var tok = EvalTestModels.WorldTokenizer();
        var texts = new[] { "a red circle", "two blue squares on the left", "" };
        using var _ = no_grad();
        var wantText = model.EncodeText(TokenRows.ToTensor(tok.EncodeBatch(texts)), normalize: true);
        var wantImg = model.EncodeImage(stack(images.Select(pipe.Transform.Apply).ToList()), normalize: true);
        AssertClose(wantText, pipe.EncodeTexts(texts));
        AssertClose(wantImg, pipe.EncodeImages(images));
        AssertClose(wantImg, pipe.EncodeImages(images.Select(File.ReadAllBytes).ToList()));
        Assert.Equal(1.0, pipe.EncodeText("a star").Sum(v => (double)v * v), 5);
    }

    [Fact]
    public void Bf16EmbeddingsAreFp32UnitVectorsCloseToTheFp32Ones()
    {
        var (dir, _) = RunDirectory();
        var images = Images(3);
        var texts = new[] { "a red circle", "two blue squares on the left" };
        using var fp32 = ClipPipeline.Load(dir);
        using var bf16 = ClipPipeline.Load(dir, new ClipPipelineOptions { Precision = InferencePrecision.Bf16 });
        foreach (var (a, b) in fp32.EncodeImages(images).Zip(bf16.EncodeImages(images)).Concat(fp32.EncodeTexts(texts).Zip(bf16.EncodeTexts(texts))))
        {
            Assert.Equal(1.0, b.Sum(v => (double)v * v), 5);            // normalized in fp32 after the bf16 tower
            double cos = a.Zip(b).Sum(p => (double)p.First * p.Second);
            Assert.True(cos >= 0.999, $"bf16 embedding cosine to fp32: {cos}");
            Assert.NotEqual(a, b);                                       // it did compute in bf16
        }
    }

    [Fact]
    public void ZeroShotIsASoftmaxOverTemplateEnsembles()
    {
        var (dir, model) = RunDirectory(6);
        var image = Images(1)[0];
        using var pipe = ClipPipeline.Load(dir);
        string[] labels = ["red circle", "blue square", "green star"], templates = ["a photo of a {}.", "{} on a plain background"];
        var got = pipe.ZeroShot(image, labels, templates);
        // reference: mean of normalized template embeddings, renormalized; softmax(100 · cos)
        var img = tensor(pipe.EncodeImage(image));
        var sims = labels.Select(l =>
        {
            var e = templates.Select(t => tensor(pipe.EncodeText(t.Replace("{}", l)))).ToList();
            var mean = stack(e).mean([0]);
            return (mean / mean.norm()).dot(img).item<float>();
        }).ToArray();
        var probs = tensor(sims.Select(s => s * 100f).ToArray()).softmax(0).data<float>().ToArray();
        Assert.Equal(labels, got.Select(g => g.Label));
        for (int i = 0; i < labels.Length; i++)
        {
            Assert.Equal(sims[i], got[i].Similarity, 4);
            Assert.Equal(probs[i], got[i].Probability, 4);
        }
        Assert.Equal(1.0, got.Sum(g => g.Probability), 5);
    }

    [Fact]
    public void CaptionsMatchTheGeneratorAndConcurrentCallersAgree()
    {
        var (dir, model) = RunDirectory(7);
        var images = Images(4);
        using var pipe = ClipPipeline.Load(dir, new ClipPipelineOptions { BatchSize = 3 });
        var tok = EvalTestModels.WorldTokenizer();
        string[] want;
        using (no_grad()) want = CaptionGenerator.Generate(model, stack(images.Select(pipe.Transform.Apply).ToList()), null, tok);
        Assert.Equal(want, pipe.Captions(images));
        Assert.Equal(want[1], pipe.Caption(File.ReadAllBytes(images[1])));

        var reference = pipe.EncodeImages(images);
        var results = new float[8][][];
        Parallel.For(0, 8, i =>
        {
            if (i % 2 == 1) pipe.EncodeText($"caption {i}");
            results[i] = pipe.EncodeImages(images);
        });
        foreach (var r in results) for (int j = 0; j < images.Count; j++) Assert.Equal(reference[j], r[j]);
    }

    [Fact]
    public void ConfigPlusCheckpointLoadsTheSameModel()
    {
        var (dir, model) = RunDirectory(8);
        var ckpt = Path.Combine(TestPaths.NewTempDir("ckpt"), "weights.safetensors");
        File.Copy(Path.Combine(dir, "model.safetensors"), ckpt);
        WorldVocabulary.Write(Path.Combine(Path.GetDirectoryName(ckpt)!, "vocab.txt"));
        using var a = ClipPipeline.Load(dir);
        using var b = ClipPipeline.Load(Path.Combine(TestPaths.RepoRoot, "configs", "models", "test-clips-tiny.json"), ckpt);
        Assert.Equal(a.EncodeText("a small green ring"), b.EncodeText("a small green ring"));
    }

    [SharedFact]
    public void ErrorsNameWhatIsWrong()
    {
        var (dir, _) = RunDirectory(9);
        File.Delete(Path.Combine(dir, "vocab.txt"));
        Assert.Contains("vocab.txt", Assert.Throws<ClipSharpException>(() => ClipPipeline.Load(dir)).Message);
        var empty = TestPaths.NewTempDir("noweights");
        Assert.Contains("no model weights", Assert.Throws<ClipSharpException>(() => ClipPipeline.Load(empty)).Message);

        manual_seed(1);
        var clipCfg = ModelFactory.LoadConfig(Path.Combine(TestPaths.RepoRoot, "configs", "models", "test-clip-tiny.json")).Model;
        var clip = ModelFactory.Create(clipCfg);
        var bpe = ClipBpeTokenizer.FromOpenClipFile(Path.Combine(TestPaths.Fixtures, "openclip", "tokenizer", "bpe_simple_vocab_16e6.txt.gz"), clip.ContextLength);
        using var pipe = new ClipPipeline(clip, bpe, new EvalTransform(PreprocessConfig.OpenAi(clipCfg.Vision.ImageSize)));
        Assert.False(pipe.CanCaption);
        Assert.Contains("caption", Assert.Throws<ClipSharpException>(() => pipe.Caption(Images(1)[0])).Message);
        var bad = Path.Combine(TestPaths.NewTempDir("bad"), "x.jpg");
        File.WriteAllText(bad, "not an image");
        Assert.Contains("x.jpg", Assert.Throws<ClipSharpException>(() => pipe.EncodeImage(bad)).Message);
    }

    private static void AssertClose(Tensor want, float[][] got)
    {
        var w = EvalTestModels.ToArray(want);
        Assert.Equal(w.GetLength(0), got.Length);
        for (int i = 0; i < got.Length; i++)
            for (int k = 0; k < got[i].Length; k++)
                Assert.True(Math.Abs(w[i, k] - got[i][k]) < 1e-5, $"row {i} col {k}: {w[i, k]} vs {got[i][k]}");
    }
}
