using ClipSharp.Core;
using static TorchSharp.torch;

namespace ClipSharp.Training.Objectives;

/// <summary>The parts of the CLIPS objective, each a scalar tensor.</summary>
public sealed record ClipsLossParts(Tensor ClipWeb, Tensor ClipPartial, Tensor Contrastive, Tensor Caption, Tensor CaptionWeighted, Tensor Total);

/// <summary>
/// CLIPS (spec §3): two separate single-positive InfoNCE problems, image↔web caption and image↔partial synthetic caption
/// (the web caption is not a negative in the synthetic problem and vice versa), plus the captioner's loss:
///   L = w_con · ½ [ CLIP(I, T_web) + CLIP(I, T_partial) ] + w_cap · L_cap        (w_con = 1, w_cap = 2)
/// </summary>
public sealed record ClipsLoss(double ContrastiveWeight = 1.0, double CaptionWeight = 2.0)
{
    /// <summary>Features (B, E), scale = exp(logit_scale), caption logits (B, Q, V), targets (B, Q) (pad id 0 ignored).</summary>
    public ClipsLossParts Compute(Tensor image, Tensor web, Tensor partial, Tensor scale, Tensor captionLogits, Tensor targets) =>
        Combine(ClipLoss.Compute(image, web, scale), ClipLoss.Compute(image, partial, scale), CaptionLoss.Compute(captionLogits, targets));

    /// <summary>
    /// The one place the weights are applied: L = w_con · ½ (clipWeb + clipPartial) + w_cap · caption, from the three
    /// unweighted terms (single-process or a rank's share of the distributed ones).
    /// </summary>
    public ClipsLossParts Combine(Tensor clipWeb, Tensor clipPartial, Tensor caption)
    {
        var contrastive = clipWeb.add(clipPartial, Scalars.One).mul(Scalars.Of(ContrastiveWeight * 0.5));
        var captionWeighted = caption.mul(Scalars.Of(CaptionWeight));
        return new ClipsLossParts(clipWeb, clipPartial, contrastive, caption, captionWeighted, contrastive.add(captionWeighted, Scalars.One));
    }
}
