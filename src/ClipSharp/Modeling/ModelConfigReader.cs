using System.Text.Json;
using ClipSharp.Core;

namespace ClipSharp.Modeling;

/// <summary>A model config file: the model and, when present, the raw `preprocess_cfg` object (read by the image pipeline).</summary>
public sealed record ModelConfigFile(ModelConfig Model, JsonElement? PreprocessCfg, string Path);

/// <summary>
/// Reads OpenCLIP model_configs JSON (bare, or the Hugging Face `{model_cfg, preprocess_cfg}` form) strictly: an
/// unknown or mistyped key is an error naming the key and the file; an OpenCLIP option ClipSharp does not implement is
/// accepted only at its default value.
/// </summary>
public static class ModelConfigReader
{
    /// <summary>Reads a config file; the model name is the file name without extension unless the JSON names it.</summary>
    public static ModelConfigFile ReadFile(string path)
    {
        if (!File.Exists(path)) throw new ClipSharpException($"{path}: model config not found.");
        var name = System.IO.Path.GetFileNameWithoutExtension(path);
        if (name == "open_clip_config") name = System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))) ?? name;
        return Parse(File.ReadAllText(path), path, name);
    }

    /// <summary>Parses config JSON text; <paramref name="source"/> names it in errors.</summary>
    public static ModelConfigFile Parse(string json, string source, string name)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new ClipSharpException($"{source}: not valid JSON ({e.Message}).", e); }
        using (doc)
        {
            try { return Read(doc.RootElement, source, name); }
            catch (InvalidOperationException e) // a lone-surrogate escape ("\ud800") is valid JSON but no .NET string
            {
                throw new ClipSharpException($"{source}: cannot be read ({e.Message}).", e);
            }
        }
    }

    private static ModelConfigFile Read(JsonElement root, string source, string name)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new ClipSharpException($"{source}: a model config must be a JSON object.");
        JsonElement? pre = null;
        if (root.TryGetProperty("model_cfg", out var mc))
        {
            foreach (var p in root.EnumerateObject())
                if (p.Name is not ("model_cfg" or "preprocess_cfg"))
                    throw new ClipSharpException($"{source}: unknown key '{p.Name}' next to model_cfg (expected model_cfg, preprocess_cfg).");
            if (root.TryGetProperty("preprocess_cfg", out var pc)) pre = pc.Clone();
            root = mc;
        }
        var r = new JsonFields(root, source, "");
        var model = ReadModel(r, name);
        return new ModelConfigFile(model, pre, source);
    }

    private static ModelConfig ReadModel(JsonFields r, string name)
    {
        var m = new ModelConfig { Name = name };
        foreach (var key in r.Keys)
        {
            m = key switch
            {
                "embed_dim" => m with { EmbedDim = r.PositiveInt(key) },
                "vision_cfg" => m with { Vision = VisionConfigReader.Read(r.Object(key)) },
                "text_cfg" => m with { Text = TextConfigReader.Read(r.Object(key)) },
                "multimodal_cfg" => m with { Multimodal = ReadMultimodal(r.Object(key)) },
                "decoder_cfg" => m with { Decoder = ReadDecoder(r.Object(key)) },
                "quick_gelu" => m with { QuickGelu = r.Bool(key) },
                "init_logit_scale" => m with { InitLogitScale = r.Double(key) },
                "init_logit_bias" => m with { InitLogitBias = r.NullableDouble(key) },
                "custom_text" => m with { CustomText = r.Bool(key) },
                "cast_dtype" or "nonscalar_logit_scale" => r.DefaultOnly(key, m, null, "fp32", "float32", false),
                _ => throw r.Unknown(key),
            };
        }
        if (m.Decoder is { } d && d.OutputLength != d.NumLearnableTokens)
            throw new ClipSharpException($"{r.Source}: decoder_cfg.output_length ({d.OutputLength}) must equal num_learnable_tokens ({d.NumLearnableTokens}).");
        if (!m.Vision.IsResNet && m.Vision.Width % m.Vision.HeadWidth != 0)   // a ResNet splits width · 32 (checked with its tower)
            throw new ClipSharpException($"{r.Source}: vision_cfg.width {m.Vision.Width} is not a multiple of head_width {m.Vision.HeadWidth}.");
        if (m.Text.Width % m.Text.Heads != 0)
            throw new ClipSharpException($"{r.Source}: text_cfg.width {m.Text.Width} is not a multiple of heads {m.Text.Heads}.");
        return m;
    }

    private static MultimodalConfig ReadMultimodal(JsonFields r)
    {
        var c = new MultimodalConfig();
        foreach (var key in r.Keys)
            c = key switch
            {
                "context_length" => c with { ContextLength = r.PositiveInt(key) },
                "vocab_size" => c with { VocabSize = r.PositiveInt(key) },
                "width" => c with { Width = r.PositiveInt(key) },
                "heads" => c with { Heads = r.PositiveInt(key) },
                "layers" => c with { Layers = r.PositiveInt(key) },
                // OpenCLIP's _build_text_decoder_tower never passes mlp_ratio on: CoCa decoders always have 4·width MLPs
                "mlp_ratio" => r.PositiveDouble(key) == 4.0 ? c : throw new ClipSharpException(
                    $"{r.Source}: multimodal_cfg.mlp_ratio {r.Double(key)} is not supported: OpenCLIP builds the CoCa decoder with mlp_ratio 4 whatever the config says, so only 4 is accepted."),
                "ls_init_value" => c with { LsInitValue = r.NullableDouble(key) },
                "attn_pooler_heads" => c with { AttnPoolerHeads = r.PositiveInt(key) },
                "dim_head" => c with { DimHead = r.PositiveInt(key) },
                "n_queries" => c with { NQueries = r.PositiveInt(key) },
                _ => throw r.Unknown(key),
            };
        return c;
    }

    private static DecoderConfig ReadDecoder(JsonFields r)
    {
        var c = new DecoderConfig();
        foreach (var key in r.Keys)
            c = key switch
            {
                "width" => c with { Width = r.PositiveInt(key) },
                "layers" => c with { Layers = r.PositiveInt(key) },
                "heads" => c with { Heads = r.PositiveInt(key) },
                "mlp_ratio" => c with { MlpRatio = r.PositiveDouble(key) },
                "num_learnable_tokens" => c with { NumLearnableTokens = r.PositiveInt(key) },
                "output_length" => c with { OutputLength = r.PositiveInt(key) },
                _ => throw r.Unknown(key),
            };
        return c;
    }
}
