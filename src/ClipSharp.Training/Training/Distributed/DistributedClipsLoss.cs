using ClipSharp.Distributed;
using ClipSharp.Training.Objectives;
using static TorchSharp.torch;

namespace ClipSharp.Training.Distributed;

/// <summary>
/// The CLIPS objective (<see cref="ClipsLoss"/>) across ranks: both InfoNCE problems (image↔web caption and
/// image↔partial synthetic caption) use <see cref="DistributedClipLoss.Local"/> over features gathered with gradient
/// in one collective, and the caption loss is <see cref="DistributedCaptionLoss"/>'s global token mean; the weights are
/// applied by <see cref="ClipsLoss.Combine"/>. Every part is this rank's share: its mean over ranks is the
/// single-process value on the concatenated batch (log it with <c>DistributedMetrics.MeanOverRanks</c>), and
/// rank-averaged gradients are the single-process gradients.
/// </summary>
public static class DistributedClipsLoss
{
    /// <summary>image/web/partial features (B, E), scale = exp(logit_scale), caption logits (B, Q, V), targets (B, Q).</summary>
    public static ClipsLossParts Compute(ClipsLoss loss, Tensor image, Tensor web, Tensor partial, Tensor scale, Tensor captionLogits, Tensor targets, ICollectives c)
    {
        if (c.WorldSize == 1) return loss.Compute(image, web, partial, scale, captionLogits, targets);
        var all = DistributedClipLoss.GatherFeatures(c, image, web, partial);
        var clipWeb = DistributedClipLoss.Local(image, web, all[0], all[1], scale, c.Rank);
        var clipPartial = DistributedClipLoss.Local(image, partial, all[0], all[2], scale, c.Rank);
        return loss.Combine(clipWeb, clipPartial, DistributedCaptionLoss.Compute(captionLogits, targets, c));
    }
}
