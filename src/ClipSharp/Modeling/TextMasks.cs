using ClipSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>Attention masks of the text tower (additive: 0 = attend, -inf = blocked).</summary>
internal static class TextMasks
{
    /// <summary>
    /// Causal only → (null, causal: true) for the fused kernel. With a CoCa class token or use_pad_mask, an
    /// additive (B, 1, L, L) mask: the causal part plus a key mask blocking pad tokens. OpenCLIP's legacy CoCa layout
    /// (correct_cls_mask = false) puts the always-valid class column FIRST, i.e. key j is valid iff ids[j-1] != pad
    /// (a known off-by-one kept for checkpoint parity); the corrected layout appends it.
    /// </summary>
    public static (Tensor? Mask, bool Causal) Build(TextConfig cfg, Tensor ids, long seq, ScalarType dtype)
    {
        bool causal = !cfg.NoCausalMask;
        if (!NeedsExplicitMask(cfg)) return (null, causal);
        var valid = ids.ne(Scalars.Of(cfg.PadId));                                   // (B, L)
        if (cfg.EmbedCls)
        {
            var clsValid = torch.ones(ids.shape[0], 1, dtype: ScalarType.Bool, device: ids.device);
            valid = cfg.CorrectClsMask ? torch.cat([valid, clsValid], 1) : torch.cat([clsValid, valid], 1);
        }
        var add = torch.zeros(valid.shape, dtype: dtype, device: ids.device).masked_fill(valid.logical_not(), Scalars.NegativeInfinity);
        var mask = add.view(ids.shape[0], 1, 1, seq);                   // (B, 1, 1, L) broadcast over heads and queries
        if (causal) mask = mask.add(Causal(seq, dtype, ids.device), Scalars.One);
        return (mask, false);
    }

    /// <summary>True when the tower needs a key mask (CoCa's class token, or use_pad_mask without causality); otherwise
    /// attention is plain causal or plain bidirectional.</summary>
    public static bool NeedsExplicitMask(TextConfig cfg) => cfg.EmbedCls || (cfg.UsePadMask && cfg.NoCausalMask);

    /// <summary>(L, L) additive causal mask: -inf above the diagonal.</summary>
    public static Tensor Causal(long n, ScalarType dtype, Device device) =>
        torch.full(n, n, Scalars.NegativeInfinity, dtype: dtype, device: device).triu(1);
}
