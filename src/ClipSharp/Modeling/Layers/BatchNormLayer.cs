using ClipSharp.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Modeling.Layers;

/// <summary>
/// nn.BatchNorm2d with PyTorch's state-dict names (weight, bias, running_mean, running_var, num_batches_tracked) and
/// semantics (momentum 0.1, eps 1e-5; training: batch statistics, running averages updated; eval: running statistics).
/// TorchSharp's own BatchNorm counts batches with <c>num_batches_tracked.add_(1)</c>, a temporary Scalar that 0.107 can
/// finalize while libtorch reads it (seen as "Unknown scalar type" a few hundred training steps in); this one counts
/// with a kept Scalar.
/// </summary>
public sealed class BatchNormLayer : nn.Module<Tensor, Tensor>
{
    public readonly Parameter weight, bias;
    public readonly Tensor running_mean, running_var, num_batches_tracked;

    /// <summary>Weight of the newest batch in the running averages.</summary>
    public const double Momentum = 0.1;

    /// <summary>Added to the variance.</summary>
    public const double Eps = 1e-5;

    public BatchNormLayer(long features) : base(nameof(BatchNormLayer))
    {
        weight = new Parameter(torch.ones(features));
        bias = new Parameter(torch.zeros(features));
        running_mean = torch.zeros(features);
        running_var = torch.ones(features);
        num_batches_tracked = torch.tensor(0L);
        RegisterComponents();   // the Tensor fields become buffers
    }

    /// <summary>x (B, C, H, W) → γ (x − μ) / √(σ² + eps) + β per channel.</summary>
    public override Tensor forward(Tensor x)
    {
        if (training)
            using (no_grad()) num_batches_tracked.add_(Scalars.One, Scalars.One);   // + 1 × 1: no temporary alpha
        return nn.functional.batch_norm(x, running_mean, running_var, weight, bias, training, Momentum, Eps);
    }
}
