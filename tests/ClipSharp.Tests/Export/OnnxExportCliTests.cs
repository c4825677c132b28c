using System.Text.Json;
using ClipSharp.Core;
using ClipSharp.Data.Images;
using ClipSharp.Export;
using ClipSharp.Inference;
using ClipSharp.Tests.Cli;
using ClipSharp.Tests.Evaluation;
using ClipSharp.Tests.Inference;
using ClipSharp.Tests.Support;
using ClipSharp.Text;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Export;

/// <summary>
/// `clipsharp export onnx` on a run directory (the quickstart's tiny CLIPS model, random weights): the folder holds
/// the contract (manifest with hashes, preprocess_cfg.json that reads back as the pipeline's preprocessing, tokenizer
/// files TokenizerFactory loads), the graphs' embeddings equal ClipPipeline's, and the 16-bit variants' error on
/// weights that are not 16-bit exact is reported and bounded.
/// </summary>
[Collection("Console")]
public class OnnxExportCliTests(ITestOutputHelper output)
{
    [Fact]
    public void ExportedRunDirectoryMatchesThePipeline()
    {
        var (model, _) = ClipPipelineTests.RunDirectory(21);
        var dir = TestPaths.NewTempDir("onnx-cli");
        var (code, stdout, err) = CliTests.Run("export", "onnx", model, "--out", dir);
        Assert.True(code == 0, err);
        Assert.Contains("image_encoder.onnx", stdout);

        using var pipe = ClipPipeline.Load(model);
        var m = OnnxManifest.Read(Path.Combine(dir, OnnxExporter.ManifestFile));
        Assert.Equal((pipe.Name, pipe.EmbeddingDim, "fp32", OnnxExporter.DefaultOpset), (m.ModelName, m.EmbedDim, m.Precision, m.Opset));
        Assert.Equal(pipe.Model.Config.Text.ContextLength, m.ContextLength);
        Assert.Equal(OnnxExporter.Sha256(Path.Combine(model, "model.safetensors")), m.SourceSha256);
        Assert.Equal(Math.Exp(pipe.Model.logit_scale.item<float>()), m.LogitScale, 6);
        foreach (var (file, sha) in m.Files) Assert.Equal(OnnxExporter.Sha256(Path.Combine(dir, file)), sha);
        Assert.Contains("vocab.txt", m.Files.Keys);
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, OnnxExporter.ManifestFile))))
            Assert.Equal(OnnxManifest.Format, doc.RootElement.GetProperty("format").GetString());
        Assert.Equal(pipe.Transform.Config, PreprocessConfig.FromJson(File.ReadAllText(Path.Combine(dir, OnnxExporter.PreprocessFile))));

        var texts = new[] { "a red circle", "two blue squares on the left", "" };
        var tok = TokenizerFactory.Create(new TokenizerSpec(m.HfTokenizerName, dir, m.ContextLength) { TokenizerMode = m.TokenizerMode });
        var ids = TokenRows.ToTensor(tok.EncodeBatch(texts));
        Assert.True(ids.eq(TokenRows.ToTensor(pipe.Tokenizer.EncodeBatch(texts))).all().item<bool>(), "the exported tokenizer files tokenize as the model's");
        using var te = Ort.Session(Path.Combine(dir, OnnxExporter.TextFile));
        using var vi = Ort.Session(Path.Combine(dir, OnnxExporter.ImageFile));
        var images = stack(Enumerable.Range(0, 3).Select(i => pipe.Transform.Apply(Image(i))).ToList());
        double dt = OnnxExportParityTests.MaxDiff(Ort.Run(te, ids), Rows(pipe.EncodeTexts(texts)));
        double di = OnnxExportParityTests.MaxDiff(Ort.Run(vi, images), pipe.EncodePixels(images));
        output.WriteLine($"run directory: ORT vs ClipPipeline max|diff| text {dt:E2}, image {di:E2}");
        Assert.True(dt <= 1e-5 && di <= 1e-5, $"text {dt:E2}, image {di:E2}");

        var byConfig = TestPaths.NewTempDir("onnx-cli-config");
        var config = Path.Combine(TestPaths.RepoRoot, "configs", "models", "test-clips-tiny.json");
        (code, _, err) = CliTests.Run("export", "onnx", "--config", config, "--checkpoint", Path.Combine(model, "model.safetensors"), "--vocab", model, "--out", byConfig, "--precision", "bf16");
        Assert.True(code == 0, err);
        var mc = OnnxManifest.Read(Path.Combine(byConfig, OnnxExporter.ManifestFile));
        Assert.Equal((m.SourceSha256, "bf16"), (mc.SourceSha256, mc.Precision));
        Assert.True(new FileInfo(Path.Combine(byConfig, OnnxExporter.TextFile)).Length < new FileInfo(Path.Combine(dir, OnnxExporter.TextFile)).Length);
    }

    [Fact]
    public void SixteenBitVariantsOnRandomWeights()
    {
        var (model, _) = ClipPipelineTests.RunDirectory(22);
        using var pipe = ClipPipeline.Load(model);
        var texts = new[] { "a red circle", "a green triangle above two blue squares" };
        var ids = TokenRows.ToTensor(pipe.Tokenizer.EncodeBatch(texts));
        var images = stack(Enumerable.Range(0, 2).Select(i => pipe.Transform.Apply(Image(i))).ToList());
        var (wantT, wantI) = (pipe.EncodeTextsTensor(texts), pipe.EncodePixels(images));
        foreach (var (p, maxDiff) in new[] { (ExportPrecision.Fp16, 2e-3), (ExportPrecision.Bf16, 2e-2) })
        {
            var dir = TestPaths.NewTempDir("onnx-" + p.Name());
            var text = pipe.Model.Config.Text;
            OnnxExporter.Export(pipe.Model, new OnnxExportSource(pipe.Name, Path.Combine(model, "model.safetensors"), pipe.Transform.Config,
                new TokenizerSpec(text.HfTokenizerName, model, text.ContextLength) { TokenizerMode = text.TokenizerMode }), dir, new OnnxExportOptions { Precision = p });
            using var te = Ort.Session(Path.Combine(dir, OnnxExporter.TextFile));
            using var vi = Ort.Session(Path.Combine(dir, OnnxExporter.ImageFile));
            var (t, i) = (Ort.Run(te, ids), Ort.Run(vi, images));
            double dt = OnnxExportParityTests.MaxDiff(t, wantT), di = OnnxExportParityTests.MaxDiff(i, wantI);
            output.WriteLine($"{p.Name()} random weights: text max|diff| {dt:E2} cos {OnnxExportParityTests.MinCos(t, wantT):F7}; image {di:E2} cos {OnnxExportParityTests.MinCos(i, wantI):F7}");
            Assert.True(dt <= maxDiff && di <= maxDiff, $"{p.Name()}: text {dt:E2}, image {di:E2}");
            Assert.True(dt > 0 || di > 0, "random fp32 weights are not 16-bit exact: the variant must differ a little");
        }
    }

    [Fact]
    public void BadOptionsAndUnsupportedModulesAreNamed()
    {
        var (model, _) = ClipPipelineTests.RunDirectory(23);
        var (code, _, err) = CliTests.Run("export", "onnx", model, "--out", TestPaths.NewTempDir("onnx-bad"), "--precision", "fp8");
        Assert.NotEqual(0, code);
        Assert.Contains("fp8", err);
        (code, _, err) = CliTests.Run("export", "onnx", model, "--out", TestPaths.NewTempDir("onnx-bad"), "--opset", "13");
        Assert.NotEqual(0, code);
        Assert.Contains("opset 13", err);
        using var seq = nn.Sequential(("fc", nn.Linear(2, 2)), ("act", nn.ReLU()));
        var e = Assert.Throws<ClipSharpException>(() => ModuleSupport.Check(seq, "visual"));
        Assert.Contains("ReLU at visual.act", e.Message);   // a container (ResNet stages are Sequentials) is checked through its children
    }

    private static string Image(int i)
    {
        var p = Path.Combine(TestPaths.NewTempDir("onnx-img"), $"{i}.png");
        EvalTestModels.WriteImage(p, 200 + i);
        return p;
    }

    private static Tensor Rows(float[][] rows) => stack(rows.Select(r => tensor(r)).ToList());
}
