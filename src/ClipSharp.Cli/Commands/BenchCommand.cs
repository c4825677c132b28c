using System.CommandLine;
using ClipSharp.Bench;

namespace ClipSharp.Cli.Commands;

/// <summary>
/// `clipsharp bench [--quick] [--out FILE.json]`: throughput and memory benchmarks (bench/ClipSharp.Bench), each in
/// its own child process, compared with the PyTorch reference; prints the table, optionally writes the JSON.
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var quick = new Option<bool>("--quick") { Description = "Quick subset (no ViT-B-32 training), fewer repeats: for development, not for figures." };
        var output = new Option<string?>("--out") { Description = "Write the JSON report to this file." };
        var only = new Option<string[]>("--only") { Description = "Run only these benchmarks (comma-separated or repeated).", AllowMultipleArgumentsPerToken = true };
        var threads = CommonOptions.Threads();
        var shared = new Option<string?>("--shared") { Description = "Folder holding bench/ (bench_small.json, jpegs-500x375); default $CLIPSHARP_SHARED or ../shared." };
        var inProcess = new Option<bool>("--in-process") { Description = "Run every benchmark in this process (peak memory becomes cumulative)." };
        var child = new Option<bool>("--child") { Description = "Internal: run one --only benchmark and print its result line.", Hidden = true };
        var cmd = new Command("bench", "Benchmark train steps, inference, the image pipeline and the matmul ceiling against the PyTorch reference.");
        foreach (var o in new Option[] { quick, output, only, threads, shared, inProcess, child }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            var options = new BenchOptions(
                Quick: r.GetValue(quick),
                OutPath: r.GetValue(output),
                Only: r.GetValue(only)?.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList() is { Count: > 0 } l ? l : null,
                Threads: r.GetValue(threads),
                SharedDir: r.GetValue(shared),
                InProcess: r.GetValue(inProcess));
            if (options.Threads < 0) throw new Core.ClipSharpException($"--threads must be >= 0, not {options.Threads}.");
            if (r.GetValue(child))
            {
                if (options.Only is not { Count: 1 }) throw new Core.ClipSharpException("--child needs exactly one --only benchmark.");
                return BenchRunner.RunOneAndPrint(options);
            }
            var report = BenchRunner.Run(options, ["bench"], Console.Error);
            Console.Out.Write(ResultTable.Format(report));
            if (options.OutPath is { } path)
            {
                BenchRunner.WriteJson(report, path);
                Console.Out.WriteLine($"wrote {path}");
            }
            return 0;
        });
        return cmd;
    }
}
