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
            table.AddRow("oneDNN kernels", $"{tuning.OneDnn}; float32 convolution gradients with the kernels in use: {(OneDnnKernels.ConvolutionGradientsAreRight() ? "right" : "WRONG on this machine: set CLIPSHARP_ONEDNN=0")} (CLIPSHARP_ONEDNN=0/1 forces oneDNN off/on)");
            table.AddRow("malloc tuning", $"{(tuning.MallocTuned ? "on" : "off")} (glibc mmap/trim thresholds for libtorch's buffers; CLIPSHARP_MALLOC_TUNING=0 turns it off)");
            table.AddRow("autograd check", AutogradCheck(dev));
            var cpu = CpuFeatures.Detect();
            table.AddRow("CPU bf16 / fp16", cpu.ToString());
            table.AddRow("bf16 matmul", Bf16Check(dev, cpu));
            AnsiConsole.Write(table);
            return 0;
        });
        return cmd;
    }

    // A 1024² matmul in fp32 and in bf16 (best of 3 each): what precision amp_bf16 / --precision bf16 buys here.
    private static string Bf16Check(torch.Device dev, CpuFeatures cpu)
    {
        double Best(torch.ScalarType dt)
        {
            using var scope = torch.NewDisposeScope();
            var a = torch.randn(1024, 1024, dtype: dt, device: dev);
            var b = torch.randn(1024, 1024, dtype: dt, device: dev);
            a.mm(b).sum().to(torch.ScalarType.Float32).item<float>();       // warm-up (and a sync on CUDA)
            double best = double.MaxValue;
            for (int i = 0; i < 3; i++)
            {
                var sw = System.Diagnostics.Stopwatch.StartNew();
                a.mm(b).sum().to(torch.ScalarType.Float32).item<float>();
                best = Math.Min(best, sw.Elapsed.TotalSeconds);
            }
            return best;
        }
        double ratio = Best(torch.ScalarType.Float32) / Best(torch.ScalarType.BFloat16);
        string advice = ratio > 1.3 ? "amp_bf16 training and --precision bf16 should pay off here"
            : dev.type == DeviceType.CPU && !cpu.NativeBf16 ? "no native bf16 on this CPU: stay in fp32" : "little to gain: fp32 is fine";
        return $"{ratio:F2}x fp32's speed (n=1024; {advice})";
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
