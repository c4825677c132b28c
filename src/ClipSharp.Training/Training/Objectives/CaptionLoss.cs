using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Training.Objectives;

/// <summary>
/// Token-level caption cross-entropy over non-pad targets:
///   L_cap = Σ_{b,q} CE(logits[b,q], y[b,q]) · m[b,q] / Σ m,   m = (y != pad)
/// (OpenVision divides by Σm + 1e-8; identical to ignore_index = pad since pad is never a real target.)
/// </summary>
public static class CaptionLoss
{
    /// <summary>logits (B, Q, V), targets (B, Q) int64; pad id (default 0) is ignored.</summary>
    public static Tensor Compute(Tensor logits, Tensor targets, long padId = 0) =>
        nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), targets.reshape(-1), ignore_index: padId);

    /// <summary>Per-position CE (B, Q) before masking.</summary>
    public static Tensor PerToken(Tensor logits, Tensor targets) =>
        nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), targets.reshape(-1), reduction: nn.Reduction.None)
            .view(targets.shape);
}
