using ClipSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Training.Objectives;

/// <summary>
/// InfoNCE, OpenCLIP's ClipLoss (single process). For L2-normalised image features I (B, E), text features T (B, E)
/// and s = exp(logit_scale):
///   L_img = s · I Tᵀ,  L_txt = s · T Iᵀ = L_imgᵀ,  y = arange(B)
///   loss  = ½ [ CE(L_img, y) + CE(L_txt, y) ]          (mean over rows)
/// Positives: the diagonal (image i with its own caption i); negatives: every other caption (resp. image) in the batch.
/// </summary>
public static class ClipLoss
{
    /// <summary>scale = exp(logit_scale) as a scalar tensor (keeps the gradient to logit_scale).</summary>
    public static Tensor Compute(Tensor imageFeatures, Tensor textFeatures, Tensor scale)
    {
        var perImage = scale * imageFeatures.matmul(textFeatures.t());  // (B, B)
        var labels = Scalars.Arange(perImage.shape[0], perImage.device);
        return nn.functional.cross_entropy(perImage, labels).add(nn.functional.cross_entropy(perImage.t(), labels), Scalars.One).mul(Scalars.Of(0.5));
    }
}
