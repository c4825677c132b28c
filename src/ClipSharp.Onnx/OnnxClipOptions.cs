using Microsoft.ML.OnnxRuntime;

namespace ClipSharp.Onnx;

/// <summary>Where the graphs run.</summary>
public enum OnnxExecutionProvider
{
    /// <summary>ONNX Runtime's CPU kernels (package Microsoft.ML.OnnxRuntime).</summary>
    Cpu,
    /// <summary>CUDA (needs the Microsoft.ML.OnnxRuntime.Gpu package and an NVIDIA driver instead of the CPU package).</summary>
    Cuda,
}

/// <summary>Options of <see cref="OnnxClipPipeline"/>.</summary>
public sealed record OnnxClipOptions
{
    /// <summary>Execution provider (CPU default).</summary>
    public OnnxExecutionProvider Provider { get; init; } = OnnxExecutionProvider.Cpu;

    /// <summary>The GPU ordinal for <see cref="OnnxExecutionProvider.Cuda"/>.</summary>
    public int DeviceId { get; init; }

    /// <summary>Intra-op threads per session; 0 lets ONNX Runtime choose (one per physical core).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Graph optimisation level at session creation.</summary>
    public GraphOptimizationLevel OptimizationLevel { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>Images or texts per graph run.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Factor on cosine similarities before the zero-shot softmax: 100 (OpenCLIP's convention) or null for the
    /// manifest's exp(logit_scale); as in ClipPipelineOptions.</summary>
    public double? ZeroShotScale { get; init; } = 100;

    /// <summary>Threads that decode and preprocess images of one batch.</summary>
    public int PreprocessThreads { get; init; } = Environment.ProcessorCount;

    internal SessionOptions SessionOptions()
    {
        var o = new SessionOptions { GraphOptimizationLevel = OptimizationLevel };
        if (IntraOpThreads > 0) o.IntraOpNumThreads = IntraOpThreads;
        try
        {
            if (Provider == OnnxExecutionProvider.Cuda) o.AppendExecutionProvider_CUDA(DeviceId);
        }
        catch (OnnxRuntimeException e)
        {
            o.Dispose();
            throw new Core.ClipSharpException($"ONNX Runtime has no CUDA execution provider here ({e.Message}); reference Microsoft.ML.OnnxRuntime.Gpu or use Provider = Cpu.", e);
        }
        return o;
    }
}
