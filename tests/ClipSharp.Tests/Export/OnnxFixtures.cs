using System.Collections.Concurrent;
using ClipSharp.Checkpoints;
using ClipSharp.Export;
using ClipSharp.Inference;
using ClipSharp.Modeling;
using ClipSharp.Tests.Support;
using ClipSharp.Text;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace ClipSharp.Tests.Export;

/// <summary>
/// One shared fixture model (any manifest entry with a config, weights and reference features) laid out as a Hugging
/// Face style folder, loaded through <see cref="ModelLoader"/>, and exported once per precision (cached for the run).
/// Inputs and reference outputs come from the fixture files, whatever their key spelling (image/images, text/web_ids).
/// </summary>
public sealed class OnnxFixtureCase
{
    /// <summary>Every model kind whose fixture holds normalised image and text features.</summary>
    public static TheoryData<string, string> Cases => Rows(_ => true);

    /// <summary>As <see cref="Cases"/>, less the repository cases whose text tower does not read its tokenizer's whole
    /// vocabulary, so free text cannot be encoded (the OpenCLIP flag fixtures use 64-id vocabularies).</summary>
    public static TheoryData<string, string> TokenizerCases => Rows(FullVocabulary);

    private static readonly string[] Kinds = ["clip", "coca", "clips_encoder_only", "clips_training"];

    // the shared cases (or the skip row), then the repository's (ResNet, OpenCLIP flags) that pass the filter
    private static TheoryData<string, string> Rows(Func<(string Manifest, string Name), bool> keepRepoCase)
    {
        var data = Fixtures.SharedModelCases(Kinds);
        foreach (var row in Fixtures.RepoModelCases(Kinds))
            if (keepRepoCase(((string)row[0], (string)row[1]))) data.Add((string)row[0], (string)row[1]);
        return data;
    }

    private static bool FullVocabulary((string Manifest, string Name) c)
    {
        var (model, _, dir) = Fixtures.Model(c.Manifest, c.Name);
        var config = ModelConfigReader.ReadFile(Path.Combine(dir, model.GetProperty("config").GetString()!));
        return config.Model.Text.VocabSize >= 30_000;   // CLIP BPE 49408, BERT WordPiece 30522
    }

    private static readonly ConcurrentDictionary<string, Lazy<OnnxFixtureCase>> Loaded = new();
    private readonly ConcurrentDictionary<ExportPrecision, Lazy<string>> _exports = new();

    /// <summary>The HF-style model folder.</summary>
    public required string ModelDir { get; init; }
    /// <summary>The loaded TorchSharp model, tokenizer and preprocessing.</summary>
    public required ModelBundle Bundle { get; init; }
    /// <summary>Fixture pixels (N, 3, H, W) and token ids (M, L).</summary>
    public required Tensor Images { get; init; }
    /// <inheritdoc cref="Images"/>
    public required Tensor Ids { get; init; }
    /// <summary>OpenCLIP's normalised features for <see cref="Images"/> and <see cref="Ids"/>.</summary>
    public required Tensor RefImage { get; init; }
    /// <inheritdoc cref="RefImage"/>
    public required Tensor RefText { get; init; }

    /// <summary>The case, loaded once per test run.</summary>
    public static OnnxFixtureCase Get(string manifest, string name) =>
        Loaded.GetOrAdd($"{manifest}|{name}", _ => new Lazy<OnnxFixtureCase>(() => Load(manifest, name))).Value;

    /// <summary>The export folder of this case at <paramref name="precision"/> (written once per run).</summary>
    public string Export(ExportPrecision precision = ExportPrecision.Fp32) =>
        _exports.GetOrAdd(precision, p => new Lazy<string>(() =>
        {
            var dir = TestPaths.NewTempDir("onnx-" + p.Name());
            OnnxExporter.Export(Bundle.Model, SourceOf(this), dir, new OnnxExportOptions { Precision = p });
            return dir;
        })).Value;

    /// <summary>What the export records about this case's model.</summary>
    public static OnnxExportSource SourceOf(OnnxFixtureCase c)
    {
        var cfg = c.Bundle.Model.Config.Text;
        return new OnnxExportSource(c.Bundle.Name, c.Bundle.Source, c.Bundle.Preprocess,
            new TokenizerSpec(cfg.HfTokenizerName, c.ModelDir, cfg.ContextLength) { TokenizerMode = cfg.TokenizerMode });
    }

    /// <summary>TorchSharp's normalised embeddings (the reference the ONNX graphs must equal).</summary>
    public (Tensor Image, Tensor Text) TorchEmbeddings()
    {
        using var _ = no_grad();
        return (Bundle.Model.EncodeImage(Images, normalize: true), Bundle.Model.EncodeText(Ids, normalize: true));
    }

    private static OnnxFixtureCase Load(string manifest, string name)
    {
        var (entry, root, fixtureDir) = Fixtures.Model(manifest, name);
        var configPath = Path.Combine(fixtureDir, entry.GetProperty("config").GetString()!);
        var caseDir = Path.GetDirectoryName(configPath)!;
        var dir = TestPaths.NewTempDir("onnx-model");
        var cfgText = File.ReadAllText(configPath);
        if (!cfgText.Contains("\"model_cfg\"", StringComparison.Ordinal)) cfgText = $"{{\"model_cfg\": {cfgText}}}";
        File.WriteAllText(Path.Combine(dir, "open_clip_config.json"), cfgText);
        bool clips = entry.GetProperty("kind").GetString()!.StartsWith("clips", StringComparison.Ordinal);
        var weights = entry.TryGetProperty("weights", out var wEntry)
            ? Path.Combine(fixtureDir, wEntry.GetProperty("file").GetString()!) : Path.Combine(caseDir, "weights.safetensors");
        File.Copy(weights, Path.Combine(dir, "model.safetensors"));
        if (clips)
            File.Copy(Path.GetFullPath(Path.Combine(fixtureDir, root.GetProperty("conventions").GetProperty("vocab").GetString()!.Split(' ')[0])), Path.Combine(dir, "vocab.txt"));
        else
            File.Copy(Path.Combine(TestPaths.Fixtures, "openclip", "tokenizer", "bpe_simple_vocab_16e6.txt.gz"), Path.Combine(dir, "bpe_simple_vocab_16e6.txt.gz"));
        string FixtureFile(string key, string fallback) =>
            entry.TryGetProperty("fixture_files", out var f) ? Path.Combine(fixtureDir, f.GetProperty(key).GetString()!) : Path.Combine(caseDir, fallback);
        var x = SafeTensorsFile.Load(FixtureFile("inputs", "inputs.safetensors"));
        var o = SafeTensorsFile.Load(FixtureFile("outputs", "outputs.safetensors"));
        return new OnnxFixtureCase
        {
            ModelDir = dir, Bundle = ModelLoader.FromDirectory(dir),
            Images = First(x, "image", "images"), Ids = First(x, "text", "web_ids"),
            RefImage = First(o, "image_features"), RefText = First(o, "text_features", "web_text_features"),
        };
    }

    private static Tensor First(IReadOnlyDictionary<string, Tensor> d, params string[] keys) =>
        keys.Where(d.ContainsKey).Select(k => d[k]).FirstOrDefault()
        ?? throw new KeyNotFoundException($"none of {string.Join(", ", keys)} in the fixture file (has {string.Join(", ", d.Keys)})");
}

/// <summary>Runs an exported graph through ONNX Runtime on TorchSharp tensors.</summary>
public static class Ort
{
    /// <summary>A session over <paramref name="file"/> at <paramref name="level"/>.</summary>
    public static InferenceSession Session(string file, GraphOptimizationLevel level = GraphOptimizationLevel.ORT_ENABLE_ALL)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = level, IntraOpNumThreads = 1 };
        return new InferenceSession(file, options);
    }

    /// <summary>Runs the single-input single-output graph on a float32 or int64 tensor; returns the float32 output.</summary>
    public static Tensor Run(InferenceSession session, Tensor input)
    {
        var name = session.InputMetadata.Keys.Single();
        var c = input.cpu().contiguous();
        NamedOnnxValue value = c.dtype == ScalarType.Int64
            ? NamedOnnxValue.CreateFromTensor(name, new DenseTensor<long>(c.data<long>().ToArray(), c.shape.Select(d => (int)d).ToArray()))
            : NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(c.to(ScalarType.Float32).data<float>().ToArray(), c.shape.Select(d => (int)d).ToArray()));
        using var results = session.Run([value]);
        var t = results.Single().AsTensor<float>();
        return tensor(t.ToArray(), t.Dimensions.ToArray().Select(d => (long)d).ToArray());
    }
}
