namespace ClipSharp.Core;

/// <summary>What <see cref="ProcessTuning.Apply"/> did: glibc malloc tuned, the MKL GEMM dispatch state, and whether
/// libtorch's oneDNN kernels stay on (<see cref="OneDnnState"/>).</summary>
public sealed record ProcessTuningState(bool MallocTuned, MklDispatchState MklDispatch, OneDnnState OneDnn = OneDnnState.On);

/// <summary>What <see cref="ProcessTuning.Apply"/> did with libtorch's oneDNN kernels (<see cref="OneDnnKernels"/>).</summary>
public enum OneDnnState
{
    /// <summary>On (libtorch's default).</summary>
    On,
    /// <summary>Off: CLIPSHARP_ONEDNN=0 (ATen's own convolution kernels).</summary>
    OffByEnvironment,
    /// <summary>This libtorch exports no switch.</summary>
    Unavailable,
}

/// <summary>
/// Process-wide CPU throughput tuning: glibc malloc settings for libtorch's churn (<see cref="NativeAllocator"/>) and
/// MKL's GEMM dispatch on non-Intel CPUs (<see cref="MklCpuDispatch"/>). Both change the whole host process, so the
/// library never applies them on its own: an entry point asks. The CLI and the benchmark do at start-up (and
/// <c>clipsharp doctor</c> says so); a host application opts in with <c>ClipPipelineOptions.TuneProcess</c> or
/// <c>TrainOptions.TuneProcess</c>, or calls <see cref="Apply"/> itself before its first model.
/// Environment switches: CLIPSHARP_MALLOC_TUNING=0, CLIPSHARP_MKL_DISPATCH=0, and CLIPSHARP_ONEDNN=0, which turns
/// libtorch's oneDNN kernels off (<see cref="OneDnnKernels"/>: where their convolution gradients are wrong). libvips' process-wide settings (operation
/// cache off, one thread per image: <c>Data.Images.VipsSettings</c>) are opted into at the same places.
/// </summary>
public static class ProcessTuning
{
    private static ProcessTuningState? _state;
    private static readonly object Gate = new();

    /// <summary>What was applied, or null when nothing asked yet.</summary>
    public static ProcessTuningState? State { get { lock (Gate) return _state; } }

    /// <summary>Applies both once per process (idempotent, thread-safe); call it before the first model is built.</summary>
    public static ProcessTuningState Apply()
    {
        lock (Gate) return _state ??= new ProcessTuningState(NativeAllocator.EnsureTuned(), MklCpuDispatch.Ensure(), TuneOneDnn());
    }

    // Off only when asked (CLIPSHARP_ONEDNN=0): the defect OneDnnKernels works around comes and goes from one process to
    // the next on the machine where it was seen, so deciding per process would make runs and their resumes differ.
    private static OneDnnState TuneOneDnn()
    {
        if (Environment.GetEnvironmentVariable("CLIPSHARP_ONEDNN") != "0") return OneDnnState.On;
        return OneDnnKernels.TrySet(false) ? OneDnnState.OffByEnvironment : OneDnnState.Unavailable;
    }
}
