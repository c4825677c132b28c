using System.Diagnostics;
using System.Security.Cryptography;
using ClipSharp.Core;

namespace ClipSharp.Fuzz;

/// <summary>
/// Runs a target over its seeds and then over mutated inputs, checking the contract on each (see
/// <see cref="FuzzTarget"/>): each input is written to a scratch file (on /dev/shm when it exists), handed to the
/// target, timed (thread CPU time) and its allocations counted. The scratch file holds the last input, so after a native crash that
/// ends the process it is the input to keep.
/// </summary>
public sealed class FuzzRunner(FuzzTarget target, FuzzOptions options)
{
    private long _runningSince; // Stopwatch ticks when the current input started, 0 between inputs

    /// <summary>The scratch folder of this process and target.</summary>
    public string WorkDir { get; } = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(),
        $"clipsharp-fuzz-{Environment.ProcessId}-{target.Name}-{Guid.NewGuid().ToString("N")[..8]}");

    /// <summary>Fuzzes until the iteration count or the time limit; the scratch folder is removed at the end.</summary>
    public FuzzReport Run()
    {
        Directory.CreateDirectory(WorkDir);
        var path = Path.Combine(WorkDir, "input" + target.Extension);
        var report = new FuzzReport(target.Name, options.Seed);
        var rng = new Random(options.Seed);
        var clock = Stopwatch.StartNew();
        using var watchdog = options.HangLimit is { } hang ? new Timer(_ => CheckHang(path, hang), null, 1000, 1000) : null;
        var lastProgress = clock.Elapsed;
        try
        {
            for (long i = 0; i < options.Iterations; i++)
            {
                if (options.TimeLimit is { } limit && clock.Elapsed > limit) break;
                var input = i < target.Seeds.Count ? target.Seeds[(int)i] : target.NextInput(rng);
                RunOne(input, path, report);
                report.Inputs++;
                if (options.Progress is { } w && clock.Elapsed - lastProgress > TimeSpan.FromSeconds(10))
                {
                    lastProgress = clock.Elapsed;
                    report.Elapsed = clock.Elapsed;
                    w.WriteLine($"  {target.Name}: {report.Inputs} inputs, {report.InputsPerSecond:F0}/s, {report.FailureTotal} failures");
                }
            }
        }
        finally
        {
            report.Elapsed = clock.Elapsed;
            try { Directory.Delete(WorkDir, recursive: true); } catch (IOException) { }
        }
        return report;
    }

    /// <summary>Runs the given inputs (no mutation) and reports them: what regression tests and `--replay` use.</summary>
    public FuzzReport Replay(IEnumerable<byte[]> inputs)
    {
        Directory.CreateDirectory(WorkDir);
        var report = new FuzzReport(target.Name, options.Seed);
        var clock = Stopwatch.StartNew();
        try
        {
            foreach (var input in inputs)
            {
                RunOne(input, Path.Combine(WorkDir, "input" + target.Extension), report);
                report.Inputs++;
            }
        }
        finally
        {
            report.Elapsed = clock.Elapsed;
            try { Directory.Delete(WorkDir, recursive: true); } catch (IOException) { }
        }
        return report;
    }

    /// <summary>
    /// Shrinks a failing input: removes ever smaller chunks while the failure kind stays the same (delta debugging,
    /// at most <paramref name="attempts"/> runs). Returns the input unchanged when it does not fail.
    /// </summary>
    public byte[] Minimize(byte[] input, int attempts = 4000)
    {
        Directory.CreateDirectory(WorkDir);
        var path = Path.Combine(WorkDir, "input" + target.Extension);
        try
        {
            string kind = Attempt(input, path).Kind;
            if (kind is "Accepted" or "Refused") return input;
            var best = input;
            for (int chunk = Math.Max(1, best.Length / 2); chunk >= 1 && attempts > 0; chunk /= 2)
                for (int i = 0; i < best.Length && attempts-- > 0;)
                {
                    byte[] candidate = [.. best.AsSpan(0, i), .. best.AsSpan(Math.Min(best.Length, i + chunk))];
                    if (Attempt(candidate, path).Kind == kind) best = candidate;
                    else i += chunk;
                }
            return best;
        }
        finally { try { Directory.Delete(WorkDir, recursive: true); } catch (IOException) { } }
    }

    /// <summary>Runs one input and records its outcome in <paramref name="report"/>.</summary>
    public void RunOne(byte[] input, string path, FuzzReport report)
    {
        var (kind, message, time) = Attempt(input, path);
        if (time > report.Slowest) report.Slowest = time;
        if (kind == "Accepted") report.Accepted++;
        else if (kind == "Refused") report.Refused++;
        else if (report.Add(new FuzzFailure(kind, message, input))) Save(kind, message, input);
    }

    private (string Kind, string Message, TimeSpan Time) Attempt(byte[] input, string path)
    {
        File.WriteAllBytes(path, input);
        long before = GC.GetAllocatedBytesForCurrentThread();
        long start = Stopwatch.GetTimestamp();
        var cpuStart = ThreadCpuClock.Now();
        Volatile.Write(ref _runningSince, start);
        string kind, message = "";
        long native = 0;
        try
        {
            native = target.Run(input, path);
            kind = "Accepted";
        }
        catch (ClipSharpException e)
        {
            bool named = !target.NamesInput || e.Message.Contains(path, StringComparison.Ordinal);
            (kind, message) = named ? ("Refused", e.Message) : ("UnnamedError", e.Message);
        }
        catch (Exception e)
        {
            (kind, message) = (e.GetType().Name, e.ToString());
        }
        Volatile.Write(ref _runningSince, 0);
        var time = ThreadCpuClock.Now() - cpuStart; // CPU time: a loaded machine does not make an input slow
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before + native;
        if (kind is "Accepted" or "Refused")
        {
            if (time > options.Slow) return ("Slow", $"took {time.TotalMilliseconds:F0} ms ({kind}: {message})", time);
            if (allocated > target.AllocationCap(input.Length))
                return ("OverAllocation", $"allocated {allocated:N0} bytes, cap {target.AllocationCap(input.Length):N0} ({kind}: {message})", time);
        }
        return (kind, message, time);
    }

    private void Save(string kind, string message, byte[] input)
    {
        if (options.CrashDir is null) return;
        var dir = Path.Combine(options.CrashDir, target.Name);
        Directory.CreateDirectory(dir);
        var name = $"{kind}-{Convert.ToHexString(SHA1.HashData(input))[..12]}";
        File.WriteAllBytes(Path.Combine(dir, name + ".bin"), input);
        File.WriteAllText(Path.Combine(dir, name + ".txt"), message);
    }

    // Watchdog: an input still running after the hang limit is saved, then the process ends (a hang cannot be aborted).
    private void CheckHang(string path, TimeSpan hang)
    {
        long since = Volatile.Read(ref _runningSince);
        if (since == 0 || Stopwatch.GetElapsedTime(since) < hang) return;
        var input = File.Exists(path) ? File.ReadAllBytes(path) : [];
        Save("Hang", $"still running after {hang.TotalSeconds:F0} s", input);
        Console.Error.WriteLine($"{target.Name}: input hangs (> {hang.TotalSeconds:F0} s), saved under {options.CrashDir ?? "(no crash dir)"}; stopping.");
        Environment.Exit(3);
    }
}
