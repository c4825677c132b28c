namespace ClipSharp.Tests.Support;

/// <summary>A fact about behaviour on a machine without CUDA: skipped with the reason where CUDA is available.</summary>
public sealed class CpuOnlyFactAttribute : FactAttribute
{
    public CpuOnlyFactAttribute()
    {
        if (TorchSharp.torch.cuda.is_available()) Skip = "CUDA is available here: the CPU-only error path cannot be reached";
    }
}
