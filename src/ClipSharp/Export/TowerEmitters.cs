using ClipSharp.Core;
using ClipSharp.Modeling;
using static ClipSharp.Export.Proto.TensorProto.Types;
using static TorchSharp.torch;

namespace ClipSharp.Export;

/// <summary>
/// The ONNX nodes of the towers (VisionTransformer, AttentionalPooler, TextTransformer): what their eval-mode Encode
/// computes up to the pooled, projected feature, then L2 normalisation. The rules that depend on the config (ln_pre
/// or not, token / average pooling, LayerNorm before or after pooling, attentional pooling, causal or bidirectional
/// text, explicit padding masks, the appended class token, the pooled text position) are written in-graph.
/// </summary>
internal static class TowerEmitters
{
    /// <summary>pixel (B, 3, H, W) float32 → image feature (B, E), normalised.</summary>
    public static string Vision(OnnxGraph g, string path, VisionTransformer v, string pixels)
    {
        var cfg = v.Config;
        long w = v.conv1.weight!.shape[0], p = cfg.PatchSize;
        var kernel = g.Weight($"{path}.conv1.weight", v.conv1.weight, matrix: true);
        var x = g.Node("Conv", [pixels, kernel], null, Attr.Ints("kernel_shape", p, p), Attr.Ints("strides", p, p));
        x = g.Transpose(g.Reshape(x, 0, 0, -1), 0, 2, 1);                                // (B, g², W)
        var cls = Broadcast(g, g.Weight($"{path}.class_embedding", v.class_embedding, matrix: false), pixels, w);
        x = g.Node("Concat", [cls, x], null, Attr.Int("axis", 1));
        x = g.Node("Add", [x, g.Weight($"{path}.positional_embedding", v.positional_embedding, matrix: true)]);
        if (v.ln_pre is not null) x = LayerEmitters.LayerNorm(g, $"{path}.ln_pre", v.ln_pre, x);
        x = LayerEmitters.Transformer(g, $"{path}.transformer", v.transformer, x, null);
        string pooled;
        if (v.attn_pool is { } ap)
        {
            var a = AttentionalPooler(g, $"{path}.attn_pool", ap, x);
            pooled = Pool(g, cfg.Pool, LayerEmitters.LayerNorm(g, $"{path}.ln_post", v.ln_post, a), path);
        }
        else if (cfg.FinalLnAfterPool) pooled = LayerEmitters.LayerNorm(g, $"{path}.ln_post", v.ln_post, Pool(g, cfg.Pool, x, path));
        else pooled = Pool(g, cfg.Pool, LayerEmitters.LayerNorm(g, $"{path}.ln_post", v.ln_post, x), path);
        return Normalize(g, g.Node("MatMul", [pooled, g.Weight($"{path}.proj", v.proj, matrix: true)]));
    }

    /// <summary>CoCa's attentional pooler: LN'd learnable queries attend to LN'd tokens, (B, L, Wc) → (B, n, d).</summary>
    public static string AttentionalPooler(OnnxGraph g, string path, AttentionalPooler ap, string x)
    {
        var k = LayerEmitters.LayerNorm(g, $"{path}.ln_k", ap.ln_k, x);
        var q = LayerEmitters.LayerNorm(g, $"{path}.ln_q", ap.ln_q, g.Weight($"{path}.query", ap.query, matrix: false));
        return LayerEmitters.Attention(g, $"{path}.attn", ap.attn, g.Unsqueeze(q, 0), k, null);   // queries broadcast over B
    }

    // OpenCLIP's global pool of the vision tokens: 'tok' the class token, 'avg' the mean of the others.
    private static string Pool(OnnxGraph g, VisionPool pool, string x, string path) => pool switch
    {
        VisionPool.Token => g.Select(x, 1, 0),
        VisionPool.Average => g.ReduceMean(g.Slice(x, 1, 1, long.MaxValue), [1], keepDims: false),
        _ => throw new ClipSharpException($"ONNX export: {path} pools no single feature (pool_type '{pool}'); an embedding graph needs tok or avg."),
    };

    /// <summary>ids (B, L) int64 → text feature (B, E), normalised.</summary>
    public static string Text(OnnxGraph g, string path, TextTransformer t, string ids)
    {
        var cfg = t.Config;
        long w = t.token_embedding.weight!.shape[1], len = cfg.ContextLength + (cfg.EmbedCls ? 1 : 0);
        var table = g.Weight($"{path}token_embedding.weight", t.token_embedding.weight, matrix: true);
        var x = g.Node("Gather", [table, ids], null, Attr.Int("axis", 0));               // (B, L, W)
        if (t.cls_emb is not null)
            x = g.Node("Concat", [x, Broadcast(g, g.Weight($"{path}cls_emb", t.cls_emb, matrix: false), ids, w)], null, Attr.Int("axis", 1));
        using (var pos = t.positional_embedding[..(int)len])
            x = g.Node("Add", [x, g.Weight($"{path}positional_embedding", pos, matrix: true)]);
        x = LayerEmitters.Transformer(g, $"{path}transformer", t.transformer, x, TextMask(g, cfg, ids, len));
        string pooled;
        if (t.cls_emb is not null) pooled = LayerEmitters.LayerNorm(g, $"{path}ln_final", t.ln_final, g.Select(x, 1, -1));
        else pooled = PoolText(g, cfg, LayerEmitters.LayerNorm(g, $"{path}ln_final", t.ln_final, x), ids, path);
        if (t.text_projection is not null) pooled = g.Node("MatMul", [pooled, g.Weight($"{path}text_projection", t.text_projection, matrix: true)]);
        return Normalize(g, pooled);
    }

    // The attention mask of TextMasks.Build in-graph: none (bidirectional), causal, or padding (+ causal) with the
    // appended class token always valid.
    private static string? TextMask(OnnxGraph g, TextConfig cfg, string ids, long len)
    {
        bool causal = !cfg.NoCausalMask;
        var causalMask = causal ? g.Const("causal_mask", CausalMask(len), len, len) : null;
        if (!(cfg.EmbedCls || (cfg.UsePadMask && cfg.NoCausalMask))) return causalMask;
        var valid = g.Node("Not", [g.Node("Equal", [ids, g.Ints("pad_id", cfg.PadId)])]);          // (B, L) bool
        if (cfg.EmbedCls)
        {
            var first = g.Slice(ids, 1, 0, 1);
            var always = g.Node("Equal", [first, first]);                                           // (B, 1) all true
            valid = g.Node("Concat", cfg.CorrectClsMask ? [valid, always] : [always, valid], null, Attr.Int("axis", 1));
        }
        var add = g.Node("Where", [valid, g.Const("zero", [0f]), g.Const("neg_inf", [float.NegativeInfinity])]);
        var mask = g.Unsqueeze(add, 1, 2);                                                          // (B, 1, 1, L)
        return causalMask is null ? mask : g.Node("Add", [mask, causalMask]);
    }

    private static float[] CausalMask(long n)
    {
        var m = new float[n * n];
        for (long i = 0; i < n; i++)
            for (long j = i + 1; j < n; j++) m[i * n + j] = float.NegativeInfinity;
        return m;
    }

    // The pooled position of each sequence (TextTransformer.PoolIndex) gathered per row: (B, L, W) → (B, W).
    private static string PoolText(OnnxGraph g, TextConfig cfg, string x, string ids, string path)
    {
        string index;
        switch (cfg.Pool)
        {
            case TextPool.First: return g.Select(x, 1, 0);
            case TextPool.Last: return g.Select(x, 1, -1);
            case TextPool.Argmax: index = g.Node("ArgMax", [ids], null, Attr.Int("axis", -1), Attr.Int("keepdims", 1)); break;
            case TextPool.Eos:
                var eos = g.Ints("eos_id", cfg.EosId ?? throw new ClipSharpException("text pool_type eos needs eos_id"));
                var hit = g.Node("Cast", [g.Node("Equal", [ids, eos])], null, Attr.Int("to", (long)DataType.Int32));
                index = g.Node("ArgMax", [hit], null, Attr.Int("axis", -1), Attr.Int("keepdims", 1));
                break;
            default: throw new ClipSharpException($"ONNX export: text tower {path} pools no single position (pool_type '{cfg.Pool}').");
        }
        return g.Node("GatherND", [x, index], null, Attr.Int("batch_dims", 1));                  // index (B, 1)
    }

    // A learned (W,) vector repeated over the batch of `like`: (B, 1, W).
    private static string Broadcast(OnnxGraph g, string vector, string like, long w)
    {
        var batch = g.Slice(g.Node("Shape", [like]), 0, 0, 1);
        var shape = g.Node("Concat", [batch, g.Ints("one_w", 1, w)], null, Attr.Int("axis", 0));
        return g.Node("Expand", [g.Reshape(vector, 1, 1, w), shape]);
    }

    /// <summary>F.normalize(x, dim=-1): x / max(‖x‖₂, 1e-12).</summary>
    public static string Normalize(OnnxGraph g, string x)
    {
        var norm = g.Node("Max", [g.ReduceL2(x, [-1], keepDims: true), g.Const("norm_eps", [1e-12f])]);
        return g.Node("Div", [x, norm]);
    }
}
