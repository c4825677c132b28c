using System.CommandLine;
using ClipSharp.Core;
using Spectre.Console;
using TorchSharp;

namespace ClipSharp.Cli.Commands;

/// <summary>`clipsharp doctor`: prints what this machine runs ClipSharp on, and proves libtorch and libvips load.</summary>
public static class DoctorCommand
{
    public static Command Create()
    {
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var cmd = new Command("doctor", "Print .NET, TorchSharp/libtorch, threads, devices and libvips versions, and run a tiny autograd check.");
        cmd.Options.Add(device);
        cmd.Options.Add(threads);
        cmd.SetAction(r =>
        {
            var dev = CommonOptions.Apply(r.GetValue(device)!, r.GetValue(threads));
            var info = RuntimeInfo.Collect();
            var table = new Table().Border(TableBorder.Rounded).AddColumn("what").AddColumn("value");
            table.AddRow("ClipSharp", info.ClipSharpVersion);
            table.AddRow(".NET", info.DotNetVersion);
            table.AddRow("OS", info.Os);
            table.AddRow("TorchSharp", info.TorchSharpVersion);
            table.AddRow("libtorch", info.LibTorchVersion);
            table.AddRow("torch threads", $"{info.TorchThreads} (of {info.ProcessorCount} logical cores)");
            table.AddRow("CUDA", info.CudaAvailable ? $"available, {info.CudaDeviceCount} device(s)" : "not available");
            table.AddRow("device", dev.ToString());
            table.AddRow("libvips", info.LibVipsVersion);
            var tuning = ProcessTuning.Apply();
            table.AddRow("process tuning", "applied by the CLI at start-up (the library alone never changes the process; hosts opt in)");
            table.AddRow("MKL GEMM dispatch", $"{tuning.MklDispatch} (CPU vendor {MklCpuDispatch.CpuVendor()}; CLIPSHARP_MKL_DISPATCH=0 turns it off)");
            table.AddRow("malloc tuning", $"{(tuning.MallocTuned ? "on" : "off")} (glibc mmap/trim thresholds for libtorch's buffers; CLIPSHARP_MALLOC_TUNING=0 turns it off)");
            table.AddRow("autograd check", AutogradCheck(dev));
            AnsiConsole.Write(table);
            return 0;
        });
        return cmd;
    }

    // d/dx sum(x^2) = 2x: proves the native library loads and autograd runs on the chosen device.
    private static string AutogradCheck(torch.Device dev)
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new float[] { 1f, 2f, 3f }, device: dev).requires_grad_(true);
        (x * x).sum().backward();
        var g = x.grad!.cpu().data<float>().ToArray();
        return g.SequenceEqual(new[] { 2f, 4f, 6f }) ? "ok (grad of sum(x^2) = 2x)" : $"FAILED: got [{string.Join(", ", g)}]";
    }
}
