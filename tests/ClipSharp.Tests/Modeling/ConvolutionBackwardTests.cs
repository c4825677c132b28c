using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Modeling;

/// <summary>
/// libtorch's float32 convolution gradients (oneDNN JIT kernels on CPU) against the same convolution in float64 (no
/// oneDNN): the ResNet tower's parity and resume tests rest on them. Found on a 2-core AMD EPYC with
/// avx512_vp2intersect (2026-12-07): the float32 input gradient came back wrong or NaN with oneDNN's AVX-512 kernels,
/// and the strided 3-channel stem convolution's also with ONEDNN_MAX_CPU_ISA=AVX2, while earlier machines matched.
/// This test names the kernel family when a machine does that, instead of leaving only the model-level failures.
/// </summary>
public class ConvolutionBackwardTests
{
    [Theory]
    [InlineData(3, 8, 1)]    // a 3-channel 3x3 convolution
    [InlineData(3, 8, 2)]    // the ResNet stem's: 3 channels, stride 2
    [InlineData(8, 8, 1)]    // a bottleneck's 3x3
    public void Float32GradientsMatchFloat64(int inChannels, int outChannels, int stride)
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(7);
        var x = torch.randn([4, inChannels, 16, 16], dtype: float64, generator: gen);
        var w = torch.randn([outChannels, inChannels, 3, 3], dtype: float64, generator: gen).mul_(0.3);
        var probe = Forward(x, w, stride);
        var up = torch.randn(probe.shape, dtype: float64, generator: gen);
        var want = Gradients(x, w, stride, up);
        var got = Gradients(x.to(float32), w.to(float32), stride, up.to(float32));
        foreach (var (name, a, b) in new[] { ("input", want.X, got.X), ("weight", want.W, got.W) })
        {
            double err = (b.to(float64) - a).abs().max().item<double>(), scale = a.abs().max().item<double>();
            Assert.True(err <= 1e-4 * Math.Max(1, scale),
                $"float32 conv2d {name} gradient ({inChannels}->{outChannels}, stride {stride}) is off by {err:G3} (scale {scale:G3}): libtorch's CPU convolution kernels misbehave on this machine");
        }
    }

    private static Tensor Forward(Tensor x, Tensor w, int stride) =>
        nn.functional.conv2d(x, w, strides: [stride, stride], padding: [1, 1]);

    private static (Tensor X, Tensor W) Gradients(Tensor x, Tensor w, int stride, Tensor up)
    {
        x = x.detach().requires_grad_();
        w = w.detach().requires_grad_();
        Forward(x, w, stride).mul(up).sum().backward();
        return (x.grad!, w.grad!);
    }
}
