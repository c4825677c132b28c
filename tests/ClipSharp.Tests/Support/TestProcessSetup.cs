using System.Runtime.CompilerServices;
using ClipSharp.Core;
using ClipSharp.Data.Images;

namespace ClipSharp.Tests.Support;

/// <summary>
/// The test process is an entry point, so it opts in to the process-wide tuning the CLI applies (the library alone
/// never does; ProcessStateTests guards that): malloc + MKL GEMM dispatch, libvips' settings. Where libtorch's oneDNN
/// convolution gradients fail the probe on a CPU the tuning does not already cover (<see cref="OneDnnKernels"/>) it
/// sets CLIPSHARP_ONEDNN=0 first, for this process and the trainer processes tests start, and says so.
/// </summary>
internal static class TestProcessSetup
{
    [ModuleInitializer]
    internal static void Init()
    {
        if (Environment.GetEnvironmentVariable("CLIPSHARP_ONEDNN") is null
            && !OneDnnKernels.KnownAffectedCpu() && !Enumerable.Range(0, 3).All(_ => OneDnnKernels.ConvolutionGradientsAreRight()))
        {
            Environment.SetEnvironmentVariable("CLIPSHARP_ONEDNN", "0");
            Console.Error.WriteLine("tests: libtorch's oneDNN convolution gradients are wrong on this machine; running with CLIPSHARP_ONEDNN=0");
        }
        ProcessTuning.Apply();
        VipsSettings.EnsureApplied();
    }
}
