using ClipSharp.Core;

namespace ClipSharp.Tests.Modeling;

/// <summary>
/// libtorch's float32 convolution gradients against the same convolution in float64 (never oneDNN), which the ResNet
/// tower's parity and resume tests rest on. Found on a 2-core AMD EPYC reporting avx512_vp2intersect (2026-12-07):
/// with oneDNN's kernels the float32 input gradient came back wrong or NaN (in some processes, not all), where earlier
/// machines matched. The workaround is turning oneDNN off (ProcessTuning on that CPU kind, or CLIPSHARP_ONEDNN=0): with
/// oneDNN off the gradients must be right. The test switches oneDNN process-wide, so nothing runs beside it.
/// </summary>
[Collection("GlobalTorchState")]
public class ConvolutionBackwardTests
{
    private static readonly (int In, int Out, int Stride)[] Shapes = [(3, 8, 1), (3, 8, 2), (8, 8, 1)];

    [Fact]
    public void WithOneDnnOffTheGradientsMatchFloat64()
    {
        var before = OneDnnKernels.Enabled;
        Assert.True(OneDnnKernels.TrySet(false));
        try
        {
            Assert.False(OneDnnKernels.Enabled);
            foreach (var (i, o, s) in Shapes) Assert.Null(OneDnnKernels.GradientError(batch: 4, i, o, s, side: 16));
            Assert.True(OneDnnKernels.ConvolutionGradientsAreRight());   // the probe passes on the kernels it trusts
        }
        finally { OneDnnKernels.TrySet(before ?? true); }
    }
}
