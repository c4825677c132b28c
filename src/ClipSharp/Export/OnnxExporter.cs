using System.Security.Cryptography;
using ClipSharp.Core;
using ClipSharp.Data.Images;
using ClipSharp.Modeling;
using ClipSharp.Text;
using TorchSharp;
using static ClipSharp.Export.Proto.TensorProto.Types;

namespace ClipSharp.Export;

/// <summary>Export settings.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>Weight storage (<see cref="ExportPrecision"/>); fp32 by default.</summary>
    public ExportPrecision Precision { get; init; } = ExportPrecision.Fp32;

    /// <summary>ONNX opset, <see cref="OnnxExporter.MinOpset"/>..<see cref="OnnxExporter.MaxOpset"/>.</summary>
    public int Opset { get; init; } = OnnxExporter.DefaultOpset;
}

/// <summary>What the export folder describes besides the weights: the model's name, where its weights came from,
/// its preprocessing and its tokenizer.</summary>
public sealed record OnnxExportSource(string ModelName, string SourcePath, PreprocessConfig Preprocess, TokenizerSpec Tokenizer);

/// <summary>
/// Writes a model as two ONNX graphs plus what a runtime needs beside them (the folder contract, "clipsharp-onnx/1"):
/// <c>image_encoder.onnx</c> (pixel_values float32 [batch, 3, H, W] → image_embeds [batch, D]),
/// <c>text_encoder.onnx</c> (input_ids int64 [batch, context_length] → text_embeds [batch, D]), both L2-normalised
/// with a dynamic batch; <c>manifest.json</c>, <c>preprocess_cfg.json</c> and the tokenizer files.
/// </summary>
public static class OnnxExporter
{
    /// <summary>The default opset: 20, the first with the Gelu operator (erf and tanh), which ONNX Runtime 1.32 runs.</summary>
    public const int DefaultOpset = 20;

    /// <summary>Lowest opset written: 17 brings LayerNormalization.</summary>
    public const int MinOpset = 17;

    /// <summary>Highest opset written (every operator used is unchanged up to it).</summary>
    public const int MaxOpset = 21;

    /// <summary>File names of the folder contract.</summary>
    public const string ImageFile = OnnxManifest.ImageFile, TextFile = OnnxManifest.TextFile, ManifestFile = OnnxManifest.ManifestFile, PreprocessFile = OnnxManifest.PreprocessFile;

    /// <summary>Graph input and output names.</summary>
    public const string ImageInput = OnnxManifest.ImageInput, ImageOutput = OnnxManifest.ImageOutput, TextInput = OnnxManifest.TextInput, TextOutput = OnnxManifest.TextOutput;

    /// <summary>Exports <paramref name="model"/> into <paramref name="outDir"/> (created; existing contract files are replaced).</summary>
    public static OnnxManifest Export(ContrastiveModel model, OnnxExportSource source, string outDir, OnnxExportOptions? options = null)
    {
        options ??= new OnnxExportOptions();
        if (options.Opset is < MinOpset or > MaxOpset)
            throw new ClipSharpException($"ONNX export: opset {options.Opset} is not written; choose {MinOpset}..{MaxOpset} (default {DefaultOpset}).");
        var cfg = model.Config;
        WriteGraphs(model, source.ModelName, outDir, options);
        File.WriteAllText(Path.Combine(outDir, PreprocessFile), OnnxManifest.PreprocessJson(source.Preprocess));
        var tokenizerFiles = CopyTokenizer(source.Tokenizer, outDir);
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in new[] { ImageFile, TextFile, PreprocessFile }.Concat(tokenizerFiles)) files[f] = Sha256(Path.Combine(outDir, f));
        var manifest = new OnnxManifest
        {
            ModelName = source.ModelName, EmbedDim = cfg.EmbedDim, Precision = options.Precision.Name(), Opset = options.Opset,
            LogitScale = Math.Exp(model.logit_scale.cpu().item<float>()),
            LogitBias = model.logit_bias is null ? null : model.logit_bias.cpu().item<float>(),
            ImageSize = [cfg.Vision.ImageSize, cfg.Vision.ImageSize], ContextLength = cfg.Text.ContextLength, VocabSize = cfg.Text.VocabSize,
            HfTokenizerName = source.Tokenizer.HfTokenizerName, TokenizerMode = source.Tokenizer.TokenizerMode,
            SourcePath = Path.GetFullPath(source.SourcePath), SourceSha256 = File.Exists(source.SourcePath) ? Sha256(source.SourcePath) : null,
            Files = files,
        };
        manifest.Write(Path.Combine(outDir, ManifestFile));
        return manifest;
    }

    /// <summary>Writes image_encoder.onnx and text_encoder.onnx only (no manifest, preprocessing or tokenizer).</summary>
    internal static void WriteGraphs(ContrastiveModel model, string modelName, string outDir, OnnxExportOptions options)
    {
        var (vision, text, textPath) = Towers(model);
        ModuleSupport.Check(vision, "visual");
        ModuleSupport.Check(text, textPath.Length == 0 ? "(root text tower)" : textPath.TrimEnd('.'));
        Directory.CreateDirectory(outDir);
        var cfg = model.Config;
        var meta = new Dictionary<string, string> { ["model_name"] = modelName, ["embed_dim"] = $"{cfg.EmbedDim}", ["precision"] = options.Precision.Name() };
        var version = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0";
        using var _ = torch.no_grad();
        var g = new OnnxGraph("clipsharp_image_encoder", options.Opset, options.Precision);
        var pixels = g.Input(ImageInput, DataType.Float, "batch", 3L, (long)cfg.Vision.ImageSize, (long)cfg.Vision.ImageSize);
        g.Output(vision is ModifiedResNet rn ? ResNetEmitters.Vision(g, "visual", rn, pixels) : TowerEmitters.Vision(g, "visual", (VisionTransformer)vision, pixels), ImageOutput, DataType.Float, "batch", (long)cfg.EmbedDim);
        g.Save(Path.Combine(outDir, ImageFile), version, meta);

        var t = new OnnxGraph("clipsharp_text_encoder", options.Opset, options.Precision);
        var ids = t.Input(TextInput, DataType.Int64, "batch", (long)cfg.Text.ContextLength);
        t.Output(TowerEmitters.Text(t, textPath, text, ids), TextOutput, DataType.Float, "batch", (long)cfg.EmbedDim);
        t.Save(Path.Combine(outDir, TextFile), version, meta);
    }

    // The towers of the model classes ClipSharp builds; the text tower's key prefix ("" when OpenCLIP's CLIP registers
    // it at the root).
    private static (TorchSharp.torch.nn.Module Vision, TextTransformer Text, string TextPath) Towers(ContrastiveModel model) => model switch
    {
        ClipModel c => (c.visual, c.Text, c.Config.CustomText ? "text." : ""),
        CoCaModel c => (c.visual, c.text, "text."),
        _ => throw new ClipSharpException($"ONNX export: model class {model.GetType().Name} has no ONNX emitter (CLIP, CLIPS and CoCa models export)."),
    };

    // The tokenizer's vocabulary file(s), copied under their own names so TokenizerFactory finds them in the folder.
    private static List<string> CopyTokenizer(TokenizerSpec spec, string outDir)
    {
        var vocab = TokenizerFactory.VocabFile(spec);
        var copied = new List<string>();
        var sources = new List<string> { vocab };
        if (vocab.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) sources.Add(Path.Combine(Path.GetDirectoryName(vocab) ?? ".", "merges.txt"));
        foreach (var src in sources)
        {
            var name = Path.GetFileName(src);
            var dst = Path.Combine(outDir, name);
            if (!string.Equals(Path.GetFullPath(src), Path.GetFullPath(dst), StringComparison.Ordinal)) File.Copy(src, dst, overwrite: true);
            copied.Add(name);
        }
        return copied;
    }

    internal static string Sha256(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }
}
