using ClipSharp.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Training.Optim;

/// <summary>
/// Dynamic loss scaling for fp16 training, with PyTorch GradScaler's semantics and defaults: the loss is multiplied by
/// S before backward (so small fp16 gradients do not flush to zero); the gradients are divided by S before clipping
/// and the optimizer step; a step whose gradients hold an inf or NaN is skipped and S is halved; after 2000 steps in a
/// row without one, S doubles. S starts at 2^16. The state (S, the finite-step count, the skips) is checkpointed, so a
/// resumed run scales exactly as an uninterrupted one.
/// </summary>
public sealed class DynamicLossScaler(double initialScale = 65536.0, double growthFactor = 2.0, double backoffFactor = 0.5, int growthInterval = 2000)
{
    /// <summary>The current scale S.</summary>
    public double Scale { get; private set; } = initialScale;

    /// <summary>Finite steps since S last changed.</summary>
    public int GoodSteps { get; private set; }

    /// <summary>Steps skipped because their scaled gradients overflowed.</summary>
    public long Skipped { get; private set; }

    /// <summary>loss · S, the tensor to call backward on.</summary>
    public Tensor ScaleLoss(Tensor loss)
    {
        using var s = Scale.ToScalar();
        return loss.mul(s);
    }

    /// <summary>Divides every gradient by S in place (before gradient clipping and the optimizer step).</summary>
    public void Unscale(IEnumerable<Parameter> parameters)
    {
        using var inverse = (1.0 / Scale).ToScalar();
        using var _ = no_grad();
        foreach (var p in parameters) p.grad?.mul_(inverse);
    }

    /// <summary>After a step: <paramref name="finite"/> = the unscaled gradients were all finite (the step was taken).</summary>
    public void Update(bool finite)
    {
        if (!finite)
        {
            Scale *= backoffFactor;
            GoodSteps = 0;
            Skipped++;
            return;
        }
        if (++GoodSteps < growthInterval) return;
        Scale *= growthFactor;
        GoodSteps = 0;
    }

    /// <summary>Restores a checkpointed state.</summary>
    public void Restore(double scale, int goodSteps, long skipped)
    {
        if (!(scale > 0) || !double.IsFinite(scale)) throw new ClipSharpException($"Checkpointed loss scale {scale} is not a positive number.");
        (Scale, GoodSteps, Skipped) = (scale, goodSteps, skipped);
    }
}
