using System.CommandLine;
using ClipSharp.Core;
using TorchSharp;

namespace ClipSharp.Cli;

/// <summary>Options every command that runs tensors accepts.</summary>
public static class CommonOptions
{
    /// <summary>`--device cpu|cuda|cuda:N`.</summary>
    public static Option<string> Device() => new("--device")
    {
        Description = "Where tensors live: cpu, cuda or cuda:N.",
        DefaultValueFactory = _ => "cpu",
    };

    /// <summary>`--threads N` (0 = libtorch's default, one per core).</summary>
    public static Option<int> Threads() => new("--threads")
    {
        Description = "CPU threads for libtorch (0 = one per core).",
        DefaultValueFactory = _ => 0,
    };

    /// <summary>Applies the thread setting and returns the parsed device.</summary>
    public static torch.Device Apply(string device, int threads)
    {
        if (threads < 0) throw new ClipSharpException($"--threads must be >= 0, not {threads}.");
        ProcessTuning.Apply(); // the CLI is an entry point: malloc + MKL dispatch before any tensor or GEMM
        if (threads > 0) torch.set_num_threads(threads);
        return DeviceSpec.Parse(device);
    }
}
