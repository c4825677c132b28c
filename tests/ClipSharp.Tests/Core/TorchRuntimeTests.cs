using ClipSharp.Tests.Support;
using ClipSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Core;

public class TorchRuntimeTests
{
    [Fact]
    public void TorchSharpLoadsAndAutogradRuns()
    {
        // d/dw mean((x w - y)^2) for a 2x2 linear problem, checked against the closed form 2/N * x^T (x w - y).
        using var scope = NewDisposeScope();
        var x = tensor(new float[,] { { 1, 2 }, { 3, 4 } });
        var y = tensor(new float[,] { { 1 }, { 0 } });
        var w = tensor(new float[,] { { 0.5f }, { -0.25f } }).requires_grad_(true);
        var loss = (x.matmul(w) - y).pow(2).mean();
        loss.backward();
        var expected = x.t().matmul(x.matmul(w).detach() - y) * (2f / 2f);
        Assert.True(w.grad!.allclose(expected, rtol: 1e-6, atol: 1e-6), $"grad {string.Join(",", w.grad.data<float>().ToArray())}");
    }

    [Fact]
    public void RuntimeInfoReportsRealVersions()
    {
        var info = RuntimeInfo.Collect();
        Assert.StartsWith("2.", info.LibTorchVersion);
        Assert.Matches(@"^\d+\.\d+\.\d+$", info.LibVipsVersion);
        Assert.True(info.TorchThreads >= 1);
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData(" CPU ")]
    public void DeviceSpecParsesCpu(string text) => Assert.Equal(DeviceType.CPU, DeviceSpec.Parse(text).type);

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:x")]
    public void DeviceSpecRejectsMalformed(string text)
    {
        var e = Assert.Throws<ClipSharpException>(() => DeviceSpec.Parse(text));
        Assert.Contains(text, e.Message);
    }

    [CpuOnlyFact]
    public void CudaRequestWithoutCudaIsAClearError()
    {
        var e = Assert.Throws<ClipSharpException>(() => DeviceSpec.Parse("cuda"));
        Assert.Contains("CUDA is not available", e.Message);
    }
}
