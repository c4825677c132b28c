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
    /// <summary>Off: the CPU kind where its convolution gradients were wrong (<see cref="OneDnnKernels.KnownAffectedCpu"/>).</summary>
    OffOnAffectedCpu,
    /// <summary>This libtorch exports no switch.</summary>
    Unavailable,
}

/// <summary>
/// Process-wide CPU throughput tuning: glibc malloc settings for libtorch's churn (<see cref="NativeAllocator"/>) and
/// MKL's GEMM dispatch on non-Intel CPUs (<see cref="MklCpuDispatch"/>). Both change the whole host process, so the
/// library never applies them on its own: an entry point asks. The CLI and the benchmark do at start-up (and
/// <c>clipsharp doctor</c> says so); a host application opts in with <c>ClipPipelineOptions.TuneProcess</c> or
/// <c>TrainOptions.TuneProcess</c>, or calls <see cref="Apply"/> itself before its first model.
/// It also turns libtorch's oneDNN kernels off on the CPU kind where their convolution gradients were wrong
/// (<see cref="OneDnnKernels"/>). Environment switches: CLIPSHARP_MALLOC_TUNING=0, CLIPSHARP_MKL_DISPATCH=0,
/// CLIPSHARP_ONEDNN=0 (oneDNN off anywhere) / 1 (on everywhere). libvips' process-wide settings (operation
/// cache off, one thread per image: <c>Data.Images.VipsSettings</c>) are opted into at the same places.
/// </summary>
public static class ProcessTuning
{
    private static ProcessTuningState? _state;
    private static readonly object Gate = new();

    /// <summary>What was applied, or null when nothing asked yet.</summary>
    public static ProcessTuningState? State { get { lock (Gate) return _state; } }

    /// <summary>Applies all three once per process (idempotent, thread-safe); call it before the first model is built.</summary>
    public static ProcessTuningState Apply()
    {
        lock (Gate) return _state ??= new ProcessTuningState(NativeAllocator.EnsureTuned(), MklCpuDispatch.Ensure(), TuneOneDnn());
    }

    // Off when asked (CLIPSHARP_ONEDNN=0) or on the CPU kind where oneDNN's convolution gradients were wrong, unless
    // CLIPSHARP_ONEDNN=1: a decision per machine, not per process (the defect came and went between processes there,
    // and a run and its resume must use the same kernels).
    private static OneDnnState TuneOneDnn()
    {
        var env = Environment.GetEnvironmentVariable("CLIPSHARP_ONEDNN");
        if (env == "1" || (env != "0" && !OneDnnKernels.KnownAffectedCpu())) return OneDnnState.On;
        var state = env == "0" ? OneDnnState.OffByEnvironment : OneDnnState.OffOnAffectedCpu;
        return OneDnnKernels.TrySet(false) ? state : OneDnnState.Unavailable;
    }
}
