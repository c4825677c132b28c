using System.Runtime.InteropServices;
using TorchSharp;

namespace ClipSharp.Core;

/// <summary>
/// Whether libtorch may use its oneDNN (mkldnn) CPU kernels (convolutions above all), the switch PyTorch calls
/// <c>torch.backends.mkldnn.enabled</c> (<c>at::globalContext().setUserEnabledMkldnn</c>; TorchSharp 0.107 has no
/// binding, so this calls the exported libtorch functions). Turning it off sends convolutions to ATen's own kernels
/// (slower). Why it exists: on a 2-core AMD EPYC reporting avx512_vp2intersect, libtorch 2.10's oneDNN convolution
/// gradients came back wrong or NaN (ConvolutionBackwardTests). Process-wide: the library never sets it on its own;
/// entry points do through <see cref="ProcessTuning"/>: off on <see cref="KnownAffectedCpu"/> and when
/// CLIPSHARP_ONEDNN=0, on when CLIPSHARP_ONEDNN=1. <see cref="ConvolutionGradientsAreRight"/> is the probe (`clipsharp
/// doctor` runs it); the defect came and went between processes on that machine, so one passing probe clears nothing.
/// </summary>
public static unsafe class OneDnnKernels
{
    private const string Library = "libtorch_cpu.so";
    private const string ContextSymbol = "_ZN2at13globalContextEv";
    private const string GetSymbol = "_ZNK2at7Context17userEnabledMkldnnEv";
    private const string SetSymbol = "_ZN2at7Context20setUserEnabledMkldnnEb";

    /// <summary>True when libtorch may use oneDNN; null where the switch cannot be reached (no such export).</summary>
    public static bool? Enabled => WithContext((ctx, get, _) => ((delegate* unmanaged<nint, byte>)get)(ctx) != 0);

    /// <summary>Turns oneDNN's CPU kernels on or off for the whole process; false where the switch cannot be reached.</summary>
    public static bool TrySet(bool enabled) =>
        WithContext((ctx, _, set) => { ((delegate* unmanaged<nint, byte, void>)set)(ctx, enabled ? (byte)1 : (byte)0); return true; }) ?? false;

    /// <summary>
    /// A small float32 3×3 convolution's input and weight gradients against the same convolution in float64 (never
    /// oneDNN): false when they differ by more than 1e-4 of their scale or are not finite. About 10 ms.
    /// </summary>
    public static bool ConvolutionGradientsAreRight() => GradientError(batch: 2, inChannels: 8, outChannels: 8, stride: 1, side: 12) is null;

    /// <summary>
    /// null when a float32 3×3 convolution's (padding 1) input and weight gradients are within 1e-4 of their scale of
    /// the float64 ones (and finite), else what is off; inputs drawn from a fixed seed.
    /// </summary>
    internal static string? GradientError(int batch, int inChannels, int outChannels, int stride, int side)
    {
        using var scope = torch.NewDisposeScope();
        var gen = new torch.Generator(7);
        var x = torch.randn([batch, inChannels, side, side], dtype: torch.float64, generator: gen);
        var w = torch.randn([outChannels, inChannels, 3, 3], dtype: torch.float64, generator: gen).mul_(0.3);
        var up = torch.randn(Convolve(x, w, stride).shape, dtype: torch.float64, generator: gen);
        var want = Gradients(x, w, stride, up);
        var got = Gradients(x.to(torch.float32), w.to(torch.float32), stride, up.to(torch.float32));
        foreach (var (name, a, b) in new[] { ("input", want.X, got.X), ("weight", want.W, got.W) })
        {
            double err = (b.to(torch.float64) - a).abs().max().item<double>(), scale = a.abs().max().item<double>();
            if (!(err <= 1e-4 * Math.Max(1, scale)))
                return $"conv2d {name} gradient ({inChannels}->{outChannels}, stride {stride}) off by {err:G3} (scale {scale:G3})";
        }
        return null;
    }

    private static torch.Tensor Convolve(torch.Tensor x, torch.Tensor w, int stride) =>
        torch.nn.functional.conv2d(x, w, strides: [stride, stride], padding: [1, 1]);

    private static (torch.Tensor X, torch.Tensor W) Gradients(torch.Tensor x, torch.Tensor w, int stride, torch.Tensor up)
    {
        x = x.detach().requires_grad_();
        w = w.detach().requires_grad_();
        using (torch.enable_grad()) Convolve(x, w, stride).mul(up).sum().backward();
        return (x.grad!, w.grad!);
    }

    /// <summary>
    /// True on the CPU kind where the defect was found: an AMD CPU reporting avx512_vp2intersect (Linux /proc/cpuinfo).
    /// There the probe passed in some processes and failed in others, so the decision rests on the CPU, not the probe.
    /// </summary>
    public static bool KnownAffectedCpu()
    {
        try
        {
            var info = File.ReadAllText("/proc/cpuinfo");
            return info.Contains("AuthenticAMD", StringComparison.Ordinal) && info.Contains("avx512_vp2intersect", StringComparison.Ordinal);
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    private static bool? WithContext(Func<nint, nint, nint, bool> use)
    {
        torch.InitializeDeviceType(DeviceType.CPU);   // loads libtorch_cpu.so if nothing has yet
        if (!NativeLibrary.TryLoad(Library, out var lib)) return null;
        try
        {
            if (!NativeLibrary.TryGetExport(lib, ContextSymbol, out var context) || !NativeLibrary.TryGetExport(lib, GetSymbol, out var get)
                || !NativeLibrary.TryGetExport(lib, SetSymbol, out var set)) return null;
            return use(((delegate* unmanaged<nint>)context)(), get, set);
        }
        finally
        {
            NativeLibrary.Free(lib);   // drops only the reference TryLoad added
        }
    }
}
