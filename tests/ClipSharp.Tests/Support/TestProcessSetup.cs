using System.Runtime.CompilerServices;
using ClipSharp.Core;
using ClipSharp.Data.Images;

namespace ClipSharp.Tests.Support;

/// <summary>
/// The test process is an entry point, so it opts in to the process-wide tuning the CLI applies (the library alone
/// never does; ProcessStateTests guards that): malloc + MKL GEMM dispatch, libvips' settings.
/// </summary>
internal static class TestProcessSetup
{
    [ModuleInitializer]
    internal static void Init()
    {
        ProcessTuning.Apply();
        VipsSettings.EnsureApplied();
    }
}
