using ClipSharp.Core;
using ClipSharp.Distributed;
using ClipSharp.Training.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Training.Distributed;

/// <summary>
/// The caption loss as a global token mean over all ranks:
///   L_cap = Σ_{ranks, b, q} CE·m / Σ_{ranks, b, q} m,   m = (y ≠ pad)
/// so ranks with more real tokens weigh more (a mean of per-rank means would not). Rank r returns
///   W · Σ_local CE·m / Σ_global m
/// whose mean over ranks is L_cap and whose rank-averaged gradient is L_cap's gradient (the global token count is
/// a constant, all-reduced without gradient). With one rank this is <see cref="CaptionLoss.Compute"/>.
/// </summary>
public static class DistributedCaptionLoss
{
    /// <summary>logits (B, Q, V), targets (B, Q) int64; pad id (default 0) is ignored.</summary>
    public static Tensor Compute(Tensor logits, Tensor targets, ICollectives c, long padId = 0)
    {
        if (c.WorldSize == 1) return CaptionLoss.Compute(logits, targets, padId);
        var perToken = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), targets.reshape(-1),
            ignore_index: padId, reduction: nn.Reduction.None);  // 0 at pad positions
        var count = targets.ne(Scalars.Of(padId)).sum().to(ScalarType.Float64);
        c.AllReduce(count, ReduceOp.Sum);
        var globalCount = count.clamp_min(Scalars.One).to(perToken.dtype);
        return perToken.sum().mul(Scalars.Of(c.WorldSize)).div(globalCount);
    }
}
