using ClipSharp.Modeling;
using ClipSharp.Modeling.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Transformer = ClipSharp.Modeling.Layers.Transformer;

namespace ClipSharp.Export;

/// <summary>
/// The ONNX nodes of each Modeling/Layers module, written from the module's own parameters and settings: the graph
/// computes what the module's forward computes (eval mode). Values are (B, L, W) activations unless noted; a mask is an
/// additive float tensor broadcastable to (B, heads, Lq, Lk).
/// </summary>
internal static class LayerEmitters
{
    /// <summary>nn.LayerNorm over the last axis (ONNX LayerNormalization, opset 17+).</summary>
    public static string LayerNorm(OnnxGraph g, string path, LayerNorm ln, string x)
    {
        var w = g.Weight($"{path}.weight", ln.weight!, matrix: false);
        var b = g.Weight($"{path}.bias", ln.bias!, matrix: false);
        return g.Node("LayerNormalization", [x, w, b], null, Attr.Int("axis", -1), Attr.Float("epsilon", (float)ln.eps));
    }

    /// <summary>x @ weightᵀ (+ bias) for a (out, in) weight; the initializer holds the transposed (in, out) matrix.</summary>
    public static string Linear(OnnxGraph g, string key, Tensor weight, Tensor? bias, string? biasKey, string x)
    {
        var wt = g.Weight(key + "_T", weight.t(), matrix: true);
        var y = g.Node("MatMul", [x, wt]);
        return bias is null ? y : g.Node("Add", [y, g.Weight(biasKey!, bias, matrix: false)]);
    }

    /// <summary>Activation: erf GELU, tanh GELU (the Gelu operator from opset 20, spelled out before) or QuickGELU.</summary>
    public static string Activation(OnnxGraph g, Activation a, string x) => a.Kind switch
    {
        ActivationKind.Gelu => Gelu(g, x, tanh: false),
        ActivationKind.GeluTanh => Gelu(g, x, tanh: true),
        _ => g.Node("Mul", [x, g.Node("Sigmoid", [g.Node("Mul", [x, g.Const("quick_gelu_k", [1.702f])])])]),
    };

    private static string Gelu(OnnxGraph g, string x, bool tanh)
    {
        if (g.Opset >= 20) return g.Node("Gelu", [x], null, Attr.String("approximate", tanh ? "tanh" : "none"));
        string inner;
        if (tanh)
        {
            // 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))
            var cube = g.Node("Mul", [g.Node("Mul", [x, x]), x]);
            var poly = g.Node("Add", [x, g.Node("Mul", [cube, g.Const("gelu_c", [0.044715f])])]);
            inner = g.Node("Tanh", [g.Node("Mul", [poly, g.Const("gelu_s", [(float)Math.Sqrt(2 / Math.PI)])])]);
        }
        else inner = g.Node("Erf", [g.Node("Mul", [x, g.Const("gelu_r", [(float)(1 / Math.Sqrt(2))])])]);   // 0.5 x (1 + erf(x/√2))
        var one = g.Node("Add", [inner, g.Const("one", [1f])]);
        return g.Node("Mul", [g.Node("Mul", [x, one]), g.Const("half", [0.5f])]);
    }

    /// <summary>Mlp: c_fc, activation, c_proj.</summary>
    public static string Mlp(OnnxGraph g, string path, Mlp m, string x)
    {
        var h = Linear(g, $"{path}.c_fc.weight", m.c_fc.weight!, m.c_fc.bias, $"{path}.c_fc.bias", x);
        h = Activation(g, m.gelu, h);
        return Linear(g, $"{path}.c_proj.weight", m.c_proj.weight!, m.c_proj.bias, $"{path}.c_proj.bias", h);
    }

    /// <summary>LayerScale: x * gamma.</summary>
    public static string LayerScale(OnnxGraph g, string path, LayerScale ls, string x) =>
        g.Node("Mul", [x, g.Weight($"{path}.gamma", ls.gamma, matrix: false)]);

    /// <summary>
    /// Multi-head attention with nn.MultiheadAttention's parameter layout: softmax(q kᵀ / √d + mask) v, out_proj.
    /// <paramref name="kv"/> null is self-attention (one packed projection, split in three).
    /// </summary>
    public static string Attention(OnnxGraph g, string path, Attention a, string x, string? kv, string? mask)
    {
        long w = a.out_proj.weight!.shape[0], heads = a.Heads, d = w / heads;
        string q, k, v;
        if (kv is null && a.in_proj_weight is not null)
        {
            var qkv = Linear(g, $"{path}.in_proj_weight", a.in_proj_weight, a.in_proj_bias, $"{path}.in_proj_bias", x);
            var parts = g.Nodes("Split", [qkv, g.Ints("split", w, w, w)], [g.Unique("q"), g.Unique("k"), g.Unique("v")], Attr.Int("axis", -1));
            (q, k, v) = (parts[0], parts[1], parts[2]);
        }
        else
        {
            var src = kv ?? x;
            var bias = a.in_proj_bias.chunk(3);
            var (wq, wk, wv) = a.in_proj_weight is { } packed
                ? (packed[..(int)w], packed[(int)w..(int)(2 * w)], packed[(int)(2 * w)..])
                : (a.q_proj_weight!, a.k_proj_weight!, a.v_proj_weight!);
            q = Linear(g, $"{path}.q_proj_weight", wq, bias[0], $"{path}.in_proj_bias.q", x);
            k = Linear(g, $"{path}.k_proj_weight", wk, bias[1], $"{path}.in_proj_bias.k", src);
            v = Linear(g, $"{path}.v_proj_weight", wv, bias[2], $"{path}.in_proj_bias.v", src);
        }
        var qh = g.Transpose(g.Reshape(q, 0, 0, heads, d), 0, 2, 1, 3);          // (B, H, Lq, d)
        var kt = g.Transpose(g.Reshape(k, 0, 0, heads, d), 0, 2, 3, 1);          // (B, H, d, Lk)
        var vh = g.Transpose(g.Reshape(v, 0, 0, heads, d), 0, 2, 1, 3);          // (B, H, Lk, d)
        var scores = g.Node("Mul", [g.Node("MatMul", [qh, kt]), g.Const("attn_scale", [(float)(1 / Math.Sqrt(d))])]);
        if (mask is not null) scores = g.Node("Add", [scores, mask]);
        var o = g.Node("MatMul", [g.Node("Softmax", [scores], null, Attr.Int("axis", -1)), vh]);   // (B, H, Lq, d)
        o = g.Reshape(g.Transpose(o, 0, 2, 1, 3), 0, 0, w);                    // (B, Lq, W)
        return Linear(g, $"{path}.out_proj.weight", a.out_proj.weight!, a.out_proj.bias, $"{path}.out_proj.bias", o);
    }

    /// <summary>Pre-LN residual block: x + ls_1(attn(ln_1 x)), then x + ls_2(mlp(ln_2 x)).</summary>
    public static string Block(OnnxGraph g, string path, ResidualAttentionBlock b, string x, string? mask)
    {
        if (b.ln_1_kv is not null)
            throw new Core.ClipSharpException($"ONNX export: the cross-attention block at {path} is not part of an encoder graph.");
        var a = Attention(g, $"{path}.attn", b.attn, LayerNorm(g, $"{path}.ln_1", b.ln_1, x), null, mask);
        if (b.ls_1 is not null) a = LayerScale(g, $"{path}.ls_1", b.ls_1, a);
        x = g.Node("Add", [x, a]);
        var m = Mlp(g, $"{path}.mlp", b.mlp, LayerNorm(g, $"{path}.ln_2", b.ln_2, x));
        if (b.ls_2 is not null) m = LayerScale(g, $"{path}.ls_2", b.ls_2, m);
        return g.Node("Add", [x, m]);
    }

    /// <summary>The block stack.</summary>
    public static string Transformer(OnnxGraph g, string path, Transformer t, string x, string? mask)
    {
        for (int i = 0; i < t.resblocks.Count; i++) x = Block(g, $"{path}.resblocks.{i}", t.resblocks[i], x, mask);
        return x;
    }
}
