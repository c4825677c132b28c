using ClipSharp.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Modeling.Layers;

/// <summary>Shape of one pre-LN transformer block.</summary>
public sealed record BlockSpec(int Width, int Heads, double MlpRatio, ActivationKind Activation, double LayerNormEps, double? LsInitValue = null);

/// <summary>
/// Pre-LN residual block: x += attn(ln_1(x)); x += mlp(ln_2(x)) (optional LayerScale ls_1/ls_2). As a
/// cross-attention block (CoCa) keys/values come from ln_1_kv(context).
/// </summary>
public sealed class ResidualAttentionBlock : nn.Module
{
    public readonly LayerNorm ln_1;
    public readonly Attention attn;
    public readonly LayerScale? ls_1;
    public readonly LayerNorm? ln_1_kv;
    public readonly LayerNorm ln_2;
    public readonly Mlp mlp;
    public readonly LayerScale? ls_2;

    public ResidualAttentionBlock(BlockSpec s, bool crossAttention = false) : base(nameof(ResidualAttentionBlock))
    {
        ln_1 = nn.LayerNorm(s.Width, s.LayerNormEps);
        attn = new Attention(s.Width, s.Heads);
        if (s.LsInitValue is { } ls) { ls_1 = new LayerScale(s.Width, ls); ls_2 = new LayerScale(s.Width, ls); }
        if (crossAttention) ln_1_kv = nn.LayerNorm(s.Width, s.LayerNormEps);
        ln_2 = nn.LayerNorm(s.Width, s.LayerNormEps);
        mlp = new Mlp(s.Width, (int)(s.Width * s.MlpRatio), s.Activation);
        RegisterComponents();
    }

    /// <summary>x: (B, L, W); context: (B, Lk, W) for cross-attention; mask as in <see cref="Attention.forward"/>.</summary>
    public Tensor forward(Tensor x, Tensor? context = null, Tensor? mask = null, bool causal = false)
    {
        var kv = context is null ? null : ln_1_kv!.forward(context);
        var a = attn.forward(ln_1.forward(x), kv, mask, causal);
        x = x.add(ls_1 is null ? a : ls_1.forward(a), Scalars.One);
        var m = mlp.forward(ln_2.forward(x));
        return x.add(ls_2 is null ? m : ls_2.forward(m), Scalars.One);
    }

    /// <summary>
    /// The block's output at one position per sequence: x (B, L, W), index (B,) int64 → (B, W), equal to
    /// forward(x)[b, index[b]]. Keys and values still come from every position (all of ln_1(x)); the query, the
    /// attention output, the out-projection and the MLP run for the B chosen rows only: about 1/6 of a block's cost
    /// (K and V projections) instead of all of it. Under <paramref name="causal"/> the row at index[b] sees keys 0..index[b].
    /// </summary>
    public Tensor ForwardAt(Tensor x, Tensor index, bool causal)
    {
        long b = x.shape[0], l = x.shape[1];
        var rows = Scalars.Arange(b, x.device);
        var h = ln_1.forward(x);                                                        // (B, L, W)
        Tensor? mask = null;                                                            // bool, True = may attend
        if (causal) mask = Scalars.Arange(l, x.device).unsqueeze(0).le(index.unsqueeze(1)).view(b, 1, 1, l);
        var a = attn.forward(h[rows, index].unsqueeze(1), h, mask);                    // (B, 1, W)
        var xq = x[rows, index].unsqueeze(1).add(ls_1 is null ? a : ls_1.forward(a), Scalars.One);
        var m = mlp.forward(ln_2.forward(xq));
        return xq.add(ls_2 is null ? m : ls_2.forward(m), Scalars.One).squeeze(1);
    }
}
