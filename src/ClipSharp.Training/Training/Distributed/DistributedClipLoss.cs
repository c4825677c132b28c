using ClipSharp.Core;
using ClipSharp.Distributed;
using ClipSharp.Training.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Training.Distributed;

/// <summary>
/// InfoNCE across ranks with OpenCLIP's <c>local_loss=True, gather_with_grad=True</c> semantics. On rank r with local
/// features I_r, T_r (B, E) and the gathered I, T (W·B, E):
///   L_r = ½ [ CE(s · I_r Tᵀ, y) + CE(s · T_r Iᵀ, y) ],   y = arange(B) + r·B
/// (local rows against all columns; the positive of local row i is global column r·B + i). For equal B on every
/// rank, mean_r L_r is exactly the single-process <see cref="ClipLoss"/> on the concatenated W·B batch, and the
/// parameter gradients averaged over ranks (<see cref="DataParallel.AllReduceGradients"/>) are its gradients.
/// With one rank this is <see cref="ClipLoss.Compute"/>.
/// </summary>
public static class DistributedClipLoss
{
    /// <summary>This rank's loss for image/text features (B, E) and scale = exp(logit_scale).</summary>
    public static Tensor Compute(Tensor imageFeatures, Tensor textFeatures, Tensor scale, ICollectives c)
    {
        if (c.WorldSize == 1) return ClipLoss.Compute(imageFeatures, textFeatures, scale);
        var all = GatherFeatures(c, imageFeatures, textFeatures);
        return Local(imageFeatures, textFeatures, all[0], all[1], scale, c.Rank);
    }

    /// <summary>
    /// The local loss given already gathered features (allImage, allText: (W·B, E) in rank order, this rank's rows at
    /// rank·B). Use it to gather several feature sets with one collective (<see cref="GatherFeatures"/>).
    /// </summary>
    public static Tensor Local(Tensor image, Tensor text, Tensor allImage, Tensor allText, Tensor scale, int rank)
    {
        long b = image.shape[0];
        var perImage = scale * image.matmul(allText.t());  // (B, W·B)
        var perText = scale * text.matmul(allImage.t());   // (B, W·B)
        using var start = (rank * b).ToScalar();
        using var stop = (rank * b + b).ToScalar();
        var labels = torch.arange(start, stop, Scalars.One, ScalarType.Int64, image.device);
        return nn.functional.cross_entropy(perImage, labels).add(nn.functional.cross_entropy(perText, labels), Scalars.One)
            .mul(Scalars.Of(0.5));
    }

    /// <summary>
    /// Gathers several (B, E_k) feature tensors with gradient in one collective (concatenated along dim 1, then
    /// split): returns the (W·B, E_k) gathered tensors in argument order.
    /// </summary>
    public static Tensor[] GatherFeatures(ICollectives c, params Tensor[] features)
    {
        if (c.WorldSize == 1) return features;
        var widths = features.Select(f => f.shape[1]).ToArray();
        var gathered = GatherWithGrad.Apply(torch.cat(features, dim: 1), c);
        return gathered.split(widths, dim: 1);
    }
}
