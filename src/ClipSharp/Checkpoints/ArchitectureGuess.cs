using System.Text.RegularExpressions;

namespace ClipSharp.Checkpoints;

/// <summary>
/// The architecture a state dict implies, read from OpenCLIP key names and shapes alone. Towers that are not OpenCLIP
/// ViT / transformer towers (ResNet, timm, HF text models) come back null.
/// </summary>
public sealed partial record ArchitectureGuess(int? EmbedDim, VisionTowerGuess? Vision, TextTowerGuess? Text, DecoderGuess? Decoder, bool HasLogitScale, bool HasLogitBias)
{
    /// <summary>Infers the architecture from tensor names and shapes.</summary>
    public static ArchitectureGuess FromTensors(IEnumerable<TensorSpec> tensors)
    {
        var t = tensors.ToDictionary(x => x.Name, x => x.Shape);
        long[]? S(string k) => t.TryGetValue(k, out var s) ? s : null;
        var vision = GuessVision(t, S);
        var text = GuessText(t, S, "") ?? GuessText(t, S, "text.");
        int? embed = text?.OutputDim ?? vision?.OutputDim;
        return new ArchitectureGuess(embed, vision, text, GuessDecoder(t, S), t.ContainsKey("logit_scale"), t.ContainsKey("logit_bias"));
    }

    private static VisionTowerGuess? GuessVision(Dictionary<string, long[]> t, Func<string, long[]?> S)
    {
        if (S("visual.layer1.0.conv1.weight") is [var stem, ..]) return GuessResNet(t, S, (int)stem);
        if (S("visual.conv1.weight") is not [var width, _, var patch, _]) return null;
        bool cls = t.ContainsKey("visual.class_embedding");
        int image = 0;
        if (S("visual.positional_embedding") is [var tokens, _])
        {
            long grid = (long)Math.Round(Math.Sqrt(tokens - (cls ? 1 : 0)));
            image = (int)(grid * patch);
        }
        int? outDim = S("visual.proj") is [_, var e] ? (int)e : null;
        return new VisionTowerGuess((int)width, Layers(t.Keys, "visual.transformer.resblocks."), (int)patch, image, cls,
            t.ContainsKey("visual.ln_pre.weight"), t.Keys.Any(k => k.StartsWith("visual.attn_pool.", StringComparison.Ordinal)), outDim);
    }

    // OpenCLIP's build_model_from_openai_state_dict: blocks per stage from visual.layerS.B, width from layer1's first
    // convolution, the image side from the attention pool's positional embedding (grid² + 1 rows), embed_dim from c_proj.
    private static VisionTowerGuess GuessResNet(Dictionary<string, long[]> t, Func<string, long[]?> S, int width)
    {
        var blocks = Enumerable.Range(1, 4).Select(s => Layers(t.Keys, $"visual.layer{s}.")).ToArray();
        int image = S("visual.attnpool.positional_embedding") is [var rows, _] ? (int)Math.Round(Math.Sqrt(rows - 1)) * 32 : 0;
        int? outDim = S("visual.attnpool.c_proj.weight") is [var e, _] ? (int)e : null;
        return new VisionTowerGuess(width, blocks.Sum(), 0, image, false, false, false, outDim, blocks);
    }

    private static TextTowerGuess? GuessText(Dictionary<string, long[]> t, Func<string, long[]?> S, string p)
    {
        if (S(p + "token_embedding.weight") is not [var vocab, var width]) return null;
        bool cls = t.ContainsKey(p + "cls_emb");
        int context = S(p + "positional_embedding") is [var rows, _] ? (int)rows - (cls ? 1 : 0) : 0;
        int? outDim = S(p + "text_projection") is [_, var e] ? (int)e : null;
        return new TextTowerGuess(p, (int)width, Layers(t.Keys, p + "transformer.resblocks."), context, (int)vocab, cls, outDim);
    }

    private static DecoderGuess? GuessDecoder(Dictionary<string, long[]> t, Func<string, long[]?> S)
    {
        var keys = t.Keys.Where(k => k.StartsWith("text_decoder.", StringComparison.Ordinal)).ToList();
        if (keys.Count == 0) return null;
        // CLIPS captioner: learnable queries under the normative name text_decoder.queries (Q, Wd).
        var learnable = t.FirstOrDefault(kv => kv.Key == "text_decoder.queries");
        string kind = keys.Any(k => k.StartsWith("text_decoder.cross_attn.", StringComparison.Ordinal)) ? "coca"
            : learnable.Key != null ? "clips" : "unknown";
        int width = S("text_decoder.resblocks.0.ln_1.weight") is [var w] ? (int)w
            : S("text_decoder.transformer.resblocks.0.ln_1.weight") is [var w2] ? (int)w2 : 0;
        int layers = Math.Max(Layers(keys, "text_decoder.resblocks."), Layers(keys, "text_decoder.transformer.resblocks."));
        int? queries = learnable.Value is [var n, ..] ? (int)n : null;
        return new DecoderGuess(kind, width, layers, queries);
    }

    // Number of residual blocks: 1 + the largest N in "<prefix>N.".
    private static int Layers(IEnumerable<string> keys, string prefix) =>
        keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .Select(k => BlockIndex().Match(k, prefix.Length))
            .Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value) + 1).DefaultIfEmpty(0).Max();

    [GeneratedRegex(@"\G(\d+)\.")]
    private static partial Regex BlockIndex();
}
