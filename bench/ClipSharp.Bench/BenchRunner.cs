using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using ClipSharp.Core;
using TorchSharp;

namespace ClipSharp.Bench;

/// <summary>
/// Runs the selected benchmarks, each in a fresh child process of the same program (so VmHWM is that benchmark's
/// own peak), compares them with the reference and writes the JSON report and the console table.
/// </summary>
public static class BenchRunner
{
    /// <summary>The line prefix a child prints before its one-line JSON result.</summary>
    public const string ResultMarker = "CLIPSHARP_BENCH_RESULT ";

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// Runs what <paramref name="o"/> selects and returns the report. <paramref name="childPrefix"/>: the arguments
    /// that route this program's command line to the bench (e.g. ["bench"] for the clipsharp CLI, [] for ClipSharp.Bench).
    /// </summary>
    public static BenchReport Run(BenchOptions o, IReadOnlyList<string> childPrefix, TextWriter log)
    {
        var tuning = ProcessTuning.Apply(); // an entry point: malloc + MKL dispatch + oneDNN, as the CLI does
        var mkl = tuning.MklDispatch;
        torch.set_num_threads(o.EffectiveThreads);
        var specs = BenchCatalog.Select(o);
        var peer = o.ReferenceFiles is { Count: > 0 } files ? PeerReference.Load(files) : null;   // a bad path fails before the runs
        var started = DateTime.UtcNow;
        var load = LoadAverage();
        var raw = new List<BenchResult>();
        foreach (var spec in specs)
        {
            log.WriteLine($"[bench] {spec.Name}: {spec.Description} ...");
            var r = o.InProcess ? spec.Run(o) : RunChild(spec, o, childPrefix);
            log.WriteLine($"[bench] {spec.Name}: {r.Value:F2} {r.Unit} (median {r.MedianSeconds:F3} s)");
            raw.Add(r);
        }
        double? ceiling = raw.FirstOrDefault(r => r.Name == "matmul-ceiling")?.Value;
        double? ceilingBf16 = raw.FirstOrDefault(r => r.Name == "matmul-ceiling-bf16")?.Value;
        var results = raw.Select(r => ReferenceTable.Compare(r, ceiling, ceilingBf16, peer)).ToList();
        var info = RuntimeInfo.Collect();
        return new BenchReport
        {
            StartedUtc = started.ToString("O"),
            Quick = o.Quick,
            Threads = o.EffectiveThreads,
            LogicalCores = Environment.ProcessorCount,
            LoadAverageAtStart = load,
            TorchSharp = info.TorchSharpVersion,
            LibTorch = info.LibTorchVersion,
            DotNet = info.DotNetVersion,
            MklDispatch = mkl.ToString(),
            OneDnn = tuning.OneDnn.ToString(),
            CpuVendor = MklCpuDispatch.CpuVendor(),
            IsolatedProcesses = !o.InProcess,
            CeilingGflops = ceiling,
            Results = results,
            ClipsPartialSaving = ClipsSaving.From(results),
        };
    }

    /// <summary>Child mode: runs exactly one benchmark and prints its result line.</summary>
    public static int RunOneAndPrint(BenchOptions o)
    {
        ProcessTuning.Apply();
        torch.set_num_threads(o.EffectiveThreads);
        var spec = BenchCatalog.Select(o).Single();
        var r = spec.Run(o);
        Console.Out.WriteLine(ResultMarker + JsonSerializer.Serialize(r, new JsonSerializerOptions(Json) { WriteIndented = false }));
        Console.Out.Flush();
        return 0;
    }

    private static BenchResult RunChild(BenchSpec spec, BenchOptions o, IReadOnlyList<string> prefix)
    {
        var exe = Environment.ProcessPath ?? throw new ClipSharpException("Cannot find this program's path to start a benchmark child process.");
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet")
            psi.ArgumentList.Add(Assembly.GetEntryAssembly()?.Location ?? throw new ClipSharpException("Cannot find the entry assembly."));
        foreach (var a in prefix) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("--child");
        psi.ArgumentList.Add("--only");
        psi.ArgumentList.Add(spec.Name);
        psi.ArgumentList.Add("--threads");
        psi.ArgumentList.Add(o.EffectiveThreads.ToString());
        if (o.Quick) psi.ArgumentList.Add("--quick");
        if (o.SharedDir is { Length: > 0 } sd) { psi.ArgumentList.Add("--shared"); psi.ArgumentList.Add(sd); }
        using var p = Process.Start(psi) ?? throw new ClipSharpException($"Could not start the child process for benchmark '{spec.Name}'.");
        BenchResult? result = null;
        string? line;
        while ((line = p.StandardOutput.ReadLine()) != null)
        {
            if (line.StartsWith(ResultMarker, StringComparison.Ordinal))
                result = JsonSerializer.Deserialize<BenchResult>(line[ResultMarker.Length..], Json);
            else Console.Error.WriteLine(line);
        }
        p.WaitForExit();
        if (p.ExitCode != 0 || result is null)
            throw new ClipSharpException($"Benchmark '{spec.Name}' failed in its child process (exit code {p.ExitCode}).");
        return result;
    }

    private static string? LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : null;

    /// <summary>Writes <paramref name="report"/> as indented snake_case JSON.</summary>
    public static void WriteJson(BenchReport report, string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        File.WriteAllText(path, JsonSerializer.Serialize(report, Json) + "\n");
    }
}
