using ClipSharp.Core;
using ClipSharp.Export;
using ClipSharp.Inference;
using ClipSharp.Onnx;
using ClipSharp.Tests.Evaluation;
using ClipSharp.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace ClipSharp.Tests.Export;

/// <summary>
/// The torch-free ONNX Runtime facade (src/ClipSharp.Onnx) on every shared fixture model's export: texts, image files
/// and image bytes embed as ClipPipeline embeds them (same tokenizer files, same Pillow-exact preprocessing),
/// zero-shot agrees, concurrent callers get the sequential answers, and bad input is a ClipSharpException naming the
/// graph and what it expected.
/// </summary>
public class OnnxClipPipelineTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> Cases => OnnxFixtureCase.TokenizerCases;

    private static readonly string[] Texts = ["a red circle", "two blue squares on the left", "", "a photo of a cat."];

    [Theory]
    [SharedMemberData(nameof(Cases))]
    public void EmbeddingsEqualClipPipelines(string manifest, string name)
    {
        var c = OnnxFixtureCase.Get(manifest, name);
        var torch = ClipPipeline.From(c.Bundle);          // not disposed: the case owns the model
        using var onnx = OnnxClipPipeline.Load(c.Export(), new OnnxClipOptions { BatchSize = 3, IntraOpThreads = 1 });
        Assert.Equal((torch.Name, torch.EmbeddingDim), (onnx.Name, onnx.EmbeddingDim));
        var images = Images(4);
        double dt = MaxDiff(onnx.EncodeTexts(Texts), torch.EncodeTexts(Texts));
        double df = MaxDiff(onnx.EncodeImageFiles(images), torch.EncodeImageFiles(images));
        double db = MaxDiff(onnx.EncodeImages(images.Select(File.ReadAllBytes).ToList()), torch.EncodeImages(images.Select(File.ReadAllBytes).ToList()));
        var zo = onnx.ZeroShot(images[0], ["red circle", "blue square", "cat"]);
        var zt = torch.ZeroShot(images[0], ["red circle", "blue square", "cat"]);
        double dz = zo.Zip(zt).Max(p => Math.Abs(p.First.Probability - p.Second.Probability));
        output.WriteLine($"{name}: ClipSharp.Onnx vs ClipPipeline max|diff| texts {dt:E2}, image files {df:E2}, image bytes {db:E2}, zero-shot probabilities {dz:E2}");
        Assert.True(dt <= 1e-5 && df <= 1e-5 && db <= 1e-5, $"{name}: texts {dt:E2}, files {df:E2}, bytes {db:E2}");
        Assert.True(dz <= 1e-4, $"{name}: zero-shot probabilities differ by {dz:E2}");
        Assert.Equal(zt.Select(s => s.Label), zo.Select(s => s.Label));
        Assert.Empty(onnx.EncodeTexts([]));
    }

    [Theory]
    [SharedMemberData(nameof(Cases))]
    public void ConcurrentCallersGetTheSequentialAnswers(string manifest, string name)
    {
        var c = OnnxFixtureCase.Get(manifest, name);
        using var onnx = OnnxClipPipeline.Load(c.Export(), new OnnxClipOptions { IntraOpThreads = 1 });
        var want = onnx.EncodeTexts(Texts);
        var got = new float[8][][];
        Parallel.For(0, got.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => got[i] = onnx.EncodeTexts(Texts));
        Assert.All(got, g => Assert.Equal(0, MaxDiff(g, want)));
    }

    [SharedFact]
    public void BadInputIsAClearClipSharpError()
    {
        var c = OnnxFixtureCase.Get(OnnxFixtureCase.Cases.First()[0].ToString()!, OnnxFixtureCase.Cases.First()[1].ToString()!);
        var dir = c.Export();
        using var onnx = OnnxClipPipeline.Load(dir, new OnnxClipOptions { IntraOpThreads = 1 });
        var m = onnx.Manifest;
        int ctx = m.ContextLength, h = onnx.Preprocess.Config.Height, w = onnx.Preprocess.Config.Width;
        AssertError(() => onnx.EncodeTokenIds(Enumerable.Repeat((long)m.VocabSize, ctx).ToArray(), 1), "outside the vocabulary");
        AssertError(() => onnx.EncodeTokenIds(Enumerable.Repeat(-1L, ctx).ToArray(), 1), "outside the vocabulary");
        AssertError(() => onnx.EncodeTokenIds([], 0), "empty batch");
        AssertError(() => onnx.EncodePixels(new float[3 * h * w], 2), "needs");
        AssertError(() => onnx.EncodeImages([[1, 2, 3]]), "image 0");
        AssertError(() => onnx.EncodeImages([]), "empty");
        using var so = new SessionOptions();
        using var text = new OnnxGraphSession(Path.Combine(dir, OnnxManifest.TextFile), OnnxManifest.TextInput, OnnxManifest.TextOutput, so);
        AssertError(() => text.Run(new float[ctx], [1, ctx]), "takes Int64");
        AssertError(() => text.Run(new long[ctx], [ctx]), "rank 2");
        AssertError(() => text.Run(new long[ctx + 1], [1, ctx + 1]), $"must be {ctx}");
        using var image = new OnnxGraphSession(Path.Combine(dir, OnnxManifest.ImageFile), OnnxManifest.ImageInput, OnnxManifest.ImageOutput, so);
        AssertError(() => image.Run(new float[3 * h * w], [3, h, w]), "rank 4");
        AssertError(() => new OnnxGraphSession(Path.Combine(dir, OnnxManifest.TextFile), "pixels", OnnxManifest.TextOutput, so), "expected input 'pixels'");
        AssertError(() => OnnxClipPipeline.Load(TestPaths.NewTempDir("onnx-empty")), "manifest");
    }

    private static void AssertError(Action act, string fragment)
    {
        var e = Assert.Throws<ClipSharpException>(act);
        Assert.Contains(fragment, e.Message);
    }

    private static List<string> Images(int n)
    {
        var dir = TestPaths.NewTempDir("onnx-pipe-img");
        return Enumerable.Range(0, n).Select(i =>
        {
            var p = Path.Combine(dir, $"{i}.{(i % 2 == 0 ? "png" : "jpg")}");
            EvalTestModels.WriteImage(p, 300 + i);
            return p;
        }).ToList();
    }

    private static double MaxDiff(float[][] a, float[][] b)
    {
        Assert.Equal(b.Length, a.Length);
        return a.Zip(b).Max(r => r.First.Zip(r.Second).Max(p => Math.Abs((double)p.First - p.Second)));
    }
}
