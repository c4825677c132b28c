using ClipSharp.Training.Optim;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Training;

/// <summary>
/// The amp_fp16 loss scaler, tested on CPU (no GPU here: the fp16 CUDA path itself is untested, see README): what it
/// must do is ordinary arithmetic on gradients and a small state machine, and both are checked here.
/// </summary>
public class DynamicLossScalerTests
{
    [Fact]
    public void AnOverflowHalvesTheScaleAndSkipsAndAFiniteRunDoublesIt()
    {
        var s = new DynamicLossScaler(initialScale: 1024, growthInterval: 3);
        s.Update(finite: false);
        Assert.Equal(512, s.Scale);
        Assert.Equal(1, s.Skipped);
        s.Update(true); s.Update(true);
        Assert.Equal(512, s.Scale);             // two finite steps: not yet
        s.Update(true);
        Assert.Equal(1024, s.Scale);            // the third: doubled, counter reset
        Assert.Equal(0, s.GoodSteps);
        s.Update(true); s.Update(false);
        Assert.Equal(512, s.Scale);             // an overflow resets the finite-step count too
        Assert.Equal(0, s.GoodSteps);
        Assert.Equal(2, s.Skipped);
    }

    [Fact]
    public void ScaledBackwardThenUnscaleEqualsThePlainGradient()
    {
        manual_seed(1);
        var w = new Parameter(randn(5, 3));
        var x = randn(4, 5);
        x.matmul(w).square().sum().backward();
        var plain = w.grad!.clone();
        w.grad = null;
        var s = new DynamicLossScaler();
        s.ScaleLoss(x.matmul(w).square().sum()).backward();
        Assert.False(w.grad!.allclose(plain));  // scaled by 2^16 before unscaling
        s.Unscale([w]);
        Assert.True(w.grad!.eq(plain).all().item<bool>(), "a power-of-two scale must unscale exactly");
    }

    [Fact]
    public void GradientsThatUnderflowInFp16SurviveWithScaling()
    {
        // loss = 1e-8 · sum(w · 1) with the sum in fp16: the gradient reaching the fp16 part is 1e-8, below fp16's
        // smallest subnormal (6e-8), so it flushes to zero; scaled by 2^16 it is 6.6e-4 and survives.
        var w = new Parameter(ones(8));
        Tensor Loss() => (w.to(ScalarType.Float16) * ones(8, dtype: ScalarType.Float16)).sum().to(ScalarType.Float32).mul(ClipSharp.Core.Scalars.Of(1e-8));
        Loss().backward();
        Assert.Equal(0f, w.grad!.abs().max().item<float>());
        w.grad = null;
        var s = new DynamicLossScaler();
        s.ScaleLoss(Loss()).backward();
        s.Unscale([w]);
        float g = w.grad!.min().item<float>();
        Assert.True(Math.Abs(g - 1e-8) < 1e-10, $"scaled fp16 gradient {g}, expected 1e-8");
    }
}
