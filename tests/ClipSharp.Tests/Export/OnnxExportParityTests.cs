using ClipSharp.Export;
using ClipSharp.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Export;

/// <summary>
/// Every shared fixture model is exported and run through ONNX Runtime (CPU): the graphs' embeddings equal
/// TorchSharp's (fp32: max |diff| ≤ 1e-5 and cosine ≥ 0.9999) and OpenCLIP's reference features; the fp16 and bf16
/// weight variants stay within their measured tolerances; batches of 1, 7 and 64 give the same rows; the graphs load
/// and agree at every graph optimisation level. A new fixture case is checked with no code change.
/// </summary>
public class OnnxExportParityTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> Cases => OnnxFixtureCase.Cases;

    private const double Fp32Atol = 1e-5, MinCosine = 0.9999, RefAtol = 1e-5, RefRtol = 1e-4;

    // Reduced-precision weights (activations fp32), against TorchSharp fp32. Measured on the fixture models: their
    // weights are fp16-exact (the fixtures store F16), so fp16 equals fp32 (max |diff| ≤ 2.4e-7); bf16 max |diff| ≤ 4.2e-3,
    // cosine ≥ 0.99997. Random fp32 weights: OnnxExportCliTests.SixteenBitVariantsOnRandomWeights.
    private static readonly Dictionary<ExportPrecision, (double MaxDiff, double MinCos)> Reduced = new()
    {
        [ExportPrecision.Fp16] = (2e-3, 0.9999),
        [ExportPrecision.Bf16] = (2e-2, 0.999),
    };

    [Theory]
    [SharedMemberData(nameof(Cases))]
    public void Fp32GraphsEqualTorchSharpAndOpenClip(string manifest, string name)
    {
        var c = OnnxFixtureCase.Get(manifest, name);
        var dir = c.Export();
        var (img, txt) = c.TorchEmbeddings();
        using var vi = Ort.Session(Path.Combine(dir, OnnxExporter.ImageFile));
        using var te = Ort.Session(Path.Combine(dir, OnnxExporter.TextFile));
        var ortImg = Ort.Run(vi, c.Images);
        var ortTxt = Ort.Run(te, c.Ids);
        var checks = new TensorChecks($"{name} ONNX fp32");
        checks.Close("image_embeds vs TorchSharp", ortImg, img, Fp32Atol);
        checks.Close("text_embeds vs TorchSharp", ortTxt, txt, Fp32Atol);
        checks.Close("image_embeds vs OpenCLIP", ortImg, c.RefImage, RefAtol, RefRtol);
        checks.Close("text_embeds vs OpenCLIP", ortTxt, c.RefText, RefAtol, RefRtol);
        output.WriteLine($"{name}: cosine min image {MinCos(ortImg, img):F8}, text {MinCos(ortTxt, txt):F8}");
        checks.AssertAll(output);
        Assert.True(MinCos(ortImg, img) >= MinCosine && MinCos(ortTxt, txt) >= MinCosine);
    }

    [Theory]
    [SharedMemberData(nameof(Cases))]
    public void ReducedPrecisionVariantsStayWithinTheirMeasuredTolerance(string manifest, string name)
    {
        var c = OnnxFixtureCase.Get(manifest, name);
        var (img, txt) = c.TorchEmbeddings();
        foreach (var (precision, (maxDiff, minCos)) in Reduced)
        {
            var dir = c.Export(precision);
            using var vi = Ort.Session(Path.Combine(dir, OnnxExporter.ImageFile));
            using var te = Ort.Session(Path.Combine(dir, OnnxExporter.TextFile));
            var oi = Ort.Run(vi, c.Images);
            var ot = Ort.Run(te, c.Ids);
            double di = MaxDiff(oi, img), dt = MaxDiff(ot, txt), ci = MinCos(oi, img), ct = MinCos(ot, txt);
            output.WriteLine($"{name} {precision.Name()}: image max|diff| {di:E2} cos {ci:F7}; text max|diff| {dt:E2} cos {ct:F7}");
            Assert.True(di <= maxDiff && dt <= maxDiff && ci >= minCos && ct >= minCos,
                $"{name} {precision.Name()}: image {di:E2}/{ci:F7}, text {dt:E2}/{ct:F7} vs tolerance {maxDiff:E1}/{minCos}");
            var fp32Size = new FileInfo(Path.Combine(c.Export(), OnnxExporter.TextFile)).Length;
            Assert.True(new FileInfo(Path.Combine(dir, OnnxExporter.TextFile)).Length < fp32Size, "the reduced variant stores smaller weights");
        }
    }

    [Theory]
    [SharedMemberData(nameof(Cases))]
    public void Batches1And7And64GiveTheSameRows(string manifest, string name)
    {
        var c = OnnxFixtureCase.Get(manifest, name);
        var dir = c.Export();
        foreach (var (file, input) in new[] { (OnnxExporter.ImageFile, c.Images), (OnnxExporter.TextFile, c.Ids) })
        {
            using var s = Ort.Session(Path.Combine(dir, file));
            var big = Tile(input, 64);
            var all = Ort.Run(s, big);
            var seven = Ort.Run(s, big[..7]);
            var one = Ort.Run(s, big[..1]);
            output.WriteLine($"{name} {file}: max|diff| b7 vs b64 {MaxDiff(seven, all[..7]):E2}, b1 vs b64 {MaxDiff(one, all[..1]):E2}");
            Assert.Equal(64, all.shape[0]);
            Assert.True(MaxDiff(seven, all[..7]) <= 1e-6 && MaxDiff(one, all[..1]) <= 1e-6, $"{name} {file}: rows depend on the batch");
            Assert.True(MaxDiff(all[..(int)input.shape[0]], all[(int)input.shape[0]..(2 * (int)input.shape[0])]) <= 1e-6);
        }
    }

    [Theory]
    [SharedMemberData(nameof(Cases))]
    public void GraphsLoadAndAgreeAtEveryOptimizationLevel(string manifest, string name)
    {
        var c = OnnxFixtureCase.Get(manifest, name);
        var dir = c.Export();
        var (img, txt) = c.TorchEmbeddings();
        foreach (var level in Enum.GetValues<GraphOptimizationLevel>())
        {
            using var vi = Ort.Session(Path.Combine(dir, OnnxExporter.ImageFile), level);
            using var te = Ort.Session(Path.Combine(dir, OnnxExporter.TextFile), level);
            double di = MaxDiff(Ort.Run(vi, c.Images), img), dt = MaxDiff(Ort.Run(te, c.Ids), txt);
            output.WriteLine($"{name} {level}: image {di:E2}, text {dt:E2}");
            Assert.True(di <= Fp32Atol && dt <= Fp32Atol, $"{name} at {level}: image {di:E2}, text {dt:E2}");
        }
    }

    [Theory]
    [SharedMemberData(nameof(Cases))]
    public void OpsetsSeventeenAndTwentyOneAgree(string manifest, string name)
    {
        var c = OnnxFixtureCase.Get(manifest, name);
        var (img, txt) = c.TorchEmbeddings();
        foreach (var opset in new[] { OnnxExporter.MinOpset, OnnxExporter.MaxOpset })
        {
            var dir = TestPaths.NewTempDir($"onnx-opset{opset}");
            OnnxExporter.Export(c.Bundle.Model, OnnxFixtureCase.SourceOf(c), dir, new OnnxExportOptions { Opset = opset });
            using var vi = Ort.Session(Path.Combine(dir, OnnxExporter.ImageFile));
            using var te = Ort.Session(Path.Combine(dir, OnnxExporter.TextFile));
            double di = MaxDiff(Ort.Run(vi, c.Images), img), dt = MaxDiff(Ort.Run(te, c.Ids), txt);
            output.WriteLine($"{name} opset {opset}: image {di:E2}, text {dt:E2}");
            Assert.True(di <= Fp32Atol && dt <= Fp32Atol, $"{name} opset {opset}: image {di:E2}, text {dt:E2}");
        }
    }

    private static Tensor Tile(Tensor x, int n) => x.repeat([(n + x.shape[0] - 1) / x.shape[0], .. Enumerable.Repeat(1L, (int)x.dim() - 1)])[..n];

    internal static double MaxDiff(Tensor a, Tensor b) => (a.to(ScalarType.Float64) - b.to(ScalarType.Float64)).abs().max().item<double>();

    internal static double MinCos(Tensor a, Tensor b) =>
        nn.functional.cosine_similarity(a.to(ScalarType.Float64), b.to(ScalarType.Float64), 1).min().item<double>();
}
