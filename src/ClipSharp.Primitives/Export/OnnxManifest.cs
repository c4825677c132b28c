using System.Globalization;
using System.Text;
using System.Text.Json;
using ClipSharp.Core;
using ClipSharp.Data.Images;

namespace ClipSharp.Export;

/// <summary>
/// manifest.json of an export folder (format "clipsharp-onnx/1"): the model, its graphs' names and shapes, the
/// tokenizer, the source checkpoint and a SHA-256 per written file. Written by the TorchSharp library's exporter, read
/// by the ONNX Runtime facade: it lives in the torch-free assembly both reference.
/// </summary>
public sealed record OnnxManifest
{
    /// <summary>The format tag written and accepted.</summary>
    public const string Format = "clipsharp-onnx/1";

    /// <summary>File names of the folder contract.</summary>
    public const string ImageFile = "image_encoder.onnx", TextFile = "text_encoder.onnx", ManifestFile = "manifest.json", PreprocessFile = "preprocess_cfg.json";

    /// <summary>Graph input and output names.</summary>
    public const string ImageInput = "pixel_values", ImageOutput = "image_embeds", TextInput = "input_ids", TextOutput = "text_embeds";

    /// <summary>Model (config) name.</summary>
    public required string ModelName { get; init; }
    /// <summary>Embedding width D.</summary>
    public required int EmbedDim { get; init; }
    /// <summary>"fp32", "fp16" or "bf16" (weight storage).</summary>
    public required string Precision { get; init; }
    /// <summary>ONNX opset of both graphs.</summary>
    public required int Opset { get; init; }
    /// <summary>exp(logit_scale).</summary>
    public required double LogitScale { get; init; }
    /// <summary>logit_bias (SigLIP), or null.</summary>
    public double? LogitBias { get; init; }
    /// <summary>[H, W] of the image graph's input.</summary>
    public required int[] ImageSize { get; init; }
    /// <summary>Token ids per text.</summary>
    public required int ContextLength { get; init; }
    /// <summary>Rows of the token embedding (ids must be below it).</summary>
    public required int VocabSize { get; init; }
    /// <summary>OpenCLIP hf_tokenizer_name (null: CLIP BPE).</summary>
    public string? HfTokenizerName { get; init; }
    /// <summary>OpenCLIP tokenizer_mode.</summary>
    public string? TokenizerMode { get; init; }
    /// <summary>The checkpoint exported.</summary>
    public required string SourcePath { get; init; }
    /// <summary>Its SHA-256 (null when it is not a single file).</summary>
    public string? SourceSha256 { get; init; }
    /// <summary>File name → SHA-256 of every other file in the folder.</summary>
    public required IReadOnlyDictionary<string, string> Files { get; init; }

    /// <summary>Writes the manifest as indented JSON.</summary>
    public void Write(string path)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("format", Format);
        w.WriteString("model_name", ModelName);
        w.WriteNumber("embed_dim", EmbedDim);
        w.WriteString("precision", Precision);
        w.WriteNumber("opset", Opset);
        w.WriteNumber("logit_scale", LogitScale);
        if (LogitBias is { } b) w.WriteNumber("logit_bias", b); else w.WriteNull("logit_bias");
        w.WriteStartObject("image");
        w.WriteString("file", ImageFile);
        w.WriteString("input", ImageInput);
        w.WriteString("output", ImageOutput);
        w.WriteStartArray("image_size");
        foreach (var s in ImageSize) w.WriteNumberValue(s);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartObject("text");
        w.WriteString("file", TextFile);
        w.WriteString("input", TextInput);
        w.WriteString("output", TextOutput);
        w.WriteNumber("context_length", ContextLength);
        w.WriteNumber("vocab_size", VocabSize);
        w.WriteEndObject();
        w.WriteStartObject("tokenizer");
        w.WriteString("hf_tokenizer_name", HfTokenizerName);
        w.WriteString("tokenizer_mode", TokenizerMode);
        w.WriteNumber("context_length", ContextLength);
        w.WriteEndObject();
        w.WriteStartObject("source");
        w.WriteString("path", SourcePath);
        w.WriteString("sha256", SourceSha256);
        w.WriteEndObject();
        w.WriteStartObject("files");
        foreach (var (k, v) in Files) w.WriteString(k, v);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Reads manifest.json of an export folder; a missing or malformed key is an error naming it.</summary>
    public static OnnxManifest Read(string path)
    {
        if (!File.Exists(path)) throw new ClipSharpException($"{path}: no ONNX export manifest here (expected {ManifestFile}).");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new ClipSharpException($"{path}: invalid JSON ({e.Message}).", e); }
        using (doc)
        {
            var r = doc.RootElement;
            try
            {
                if (r.GetProperty("format").GetString() != Format) throw new ClipSharpException($"{path}: format is not {Format}.");
                var image = r.GetProperty("image");
                var text = r.GetProperty("text");
                var tok = r.GetProperty("tokenizer");
                var src = r.GetProperty("source");
                return new OnnxManifest
                {
                    ModelName = r.GetProperty("model_name").GetString()!, EmbedDim = r.GetProperty("embed_dim").GetInt32(),
                    Precision = r.GetProperty("precision").GetString()!, Opset = r.GetProperty("opset").GetInt32(),
                    LogitScale = r.GetProperty("logit_scale").GetDouble(),
                    LogitBias = r.GetProperty("logit_bias").ValueKind == JsonValueKind.Null ? null : r.GetProperty("logit_bias").GetDouble(),
                    ImageSize = image.GetProperty("image_size").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
                    ContextLength = text.GetProperty("context_length").GetInt32(), VocabSize = text.GetProperty("vocab_size").GetInt32(),
                    HfTokenizerName = tok.GetProperty("hf_tokenizer_name").GetString(), TokenizerMode = tok.GetProperty("tokenizer_mode").GetString(),
                    SourcePath = src.GetProperty("path").GetString()!, SourceSha256 = src.GetProperty("sha256").GetString(),
                    Files = r.GetProperty("files").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
                };
            }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new ClipSharpException($"{path}: missing or malformed key ({e.Message}).", e);
            }
        }
    }

    /// <summary>preprocess_cfg.json in OpenCLIP's preprocess_cfg keys (read back by <see cref="PreprocessConfig.FromJson"/>).</summary>
    public static string PreprocessJson(PreprocessConfig p)
    {
        static string F(float v) => v.ToString("R", CultureInfo.InvariantCulture);
        var sb = new StringBuilder("{\n");
        sb.Append($"  \"size\": [{p.Height}, {p.Width}],\n  \"mode\": \"RGB\",\n");
        sb.Append($"  \"mean\": [{string.Join(", ", p.Mean.Select(F))}],\n  \"std\": [{string.Join(", ", p.Std.Select(F))}],\n");
        sb.Append($"  \"interpolation\": \"{p.Interpolation.ToString().ToLowerInvariant()}\",\n");
        sb.Append($"  \"resize_mode\": \"{p.ResizeMode.ToString().ToLowerInvariant()}\",\n  \"fill_color\": {p.FillColor}\n}}\n");
        return sb.ToString();
    }
}
