using ClipSharp.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Training.Optim;

/// <summary>
/// TorchSharp's AdamW with the same update, operation for operation (so results are bit-identical), but with every
/// Scalar handed to libtorch held in a <c>using</c> variable until the call has returned. TorchSharp 0.107's own
/// step passes nine temporary Scalars per parameter (<c>mul_(1 - lr·wd)</c>, <c>mul_(β1)</c>, the alpha of
/// <c>add_</c>, <c>mul_(β2)</c>, the value of <c>addcmul_</c>, <c>/ √bc2</c>, <c>add_(ε)</c> and its hidden alpha, the
/// value of <c>addcdiv_</c>)
/// that the finalizer may free mid-call (see ClipSharp.Core.Scalars) — and the step runs outside the trainer's
/// forward/backward, where a garbled learning-rate term would corrupt the weights silently. State, parameter groups,
/// state_dict and checkpoints are TorchSharp's (<see cref="AdamW.State"/>), so <see cref="OptimizerState"/> works as before.
/// amsgrad and maximize are not offered (always off, as in every ClipSharp recipe).
/// </summary>
public sealed class KeptAliveAdamW : AdamW
{
    /// <summary>Same arguments as TorchSharp's <see cref="AdamW"/>.</summary>
    public KeptAliveAdamW(IEnumerable<ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay)
        : base(groups, lr, beta1, beta2, eps, weightDecay)
    {
    }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = (Options)group.Options;
        double beta1 = o.beta1!.Value, beta2 = o.beta2!.Value, lr = o.LearningRate!.Value;
        // The per-group Scalars (the same values TorchSharp computes, in the same types: all float64).
        using var decay = (1 - lr * o.weight_decay!.Value).ToScalar();
        using var b1 = beta1.ToScalar();
        using var oneMinusB1 = (1 - beta1).ToScalar();
        using var b2 = beta2.ToScalar();
        using var oneMinusB2 = (1 - beta2).ToScalar();
        using var eps = o.eps!.Value.ToScalar();
        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            var grad = param.grad;
            if (grad is null) continue;
            state.step += 1;
            param.mul_(decay);
            double biasCorrection1 = 1 - Math.Pow(beta1, state.step);
            double biasCorrection2 = 1 - Math.Pow(beta2, state.step);
            state.exp_avg.mul_(b1).add_(grad, oneMinusB1);
            state.exp_avg_sq.mul_(b2).addcmul_(grad, grad, oneMinusB2);
            using var sqrtBc2 = Math.Sqrt(biasCorrection2).ToScalar();
            var denom = state.exp_avg_sq.sqrt().div(sqrtBc2).add_(eps, Scalars.One);
            using var negStepSize = (-(lr / biasCorrection1)).ToScalar();
            param.addcdiv_(state.exp_avg, denom, negStepSize);
        }
    }, closure);
}
