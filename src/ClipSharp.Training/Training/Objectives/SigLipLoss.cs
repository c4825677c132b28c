using ClipSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Training.Objectives;

/// <summary>
/// SigLIP's sigmoid loss (single process): every (image i, text j) pair is an independent binary problem,
///   z_ij = s · I_i·T_j + b,   y_ij = +1 if i = j else −1
///   loss = − Σ_ij log σ(y_ij z_ij) / B
/// Positives: the diagonal; negatives: all B² − B off-diagonal pairs. OpenCLIP initialises s = exp(ln 10), b = −10.
/// </summary>
public static class SigLipLoss
{
    public static Tensor Compute(Tensor imageFeatures, Tensor textFeatures, Tensor scale, Tensor bias)
    {
        var logits = (scale * imageFeatures.matmul(textFeatures.t())).add(bias, Scalars.One);  // (B, B)
        long n = logits.shape[0];
        var signs = torch.eye(n, dtype: logits.dtype, device: logits.device).mul(Scalars.Of(2L)).sub(Scalars.One);  // +1 diagonal, −1 elsewhere
        using var count = n.ToScalar();
        return (-nn.functional.logsigmoid(signs * logits).sum()).div(count);
    }
}
