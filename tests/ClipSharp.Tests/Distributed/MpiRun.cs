using System.Diagnostics;

namespace ClipSharp.Tests.Distributed;

/// <summary>Launches `mpirun -np N dotnet ClipSharp.TestHost.dll ...` (the CLI plus the test-only MPI programs and fault injection) from the test output folder, with a hard timeout.</summary>
public static class MpiRun
{
    public static string? Mpirun { get; } = FindOnPath("mpirun");

    public static string? SkipReason => Mpirun is null
        ? "mpirun is not on PATH: install Open MPI (apt-get install openmpi-bin libopenmpi-dev; .ci/run does)"
        : null;

    public sealed record Result(int Code, string Out, string Err, TimeSpan Elapsed, bool TimedOut)
    {
        public override string ToString() => $"exit {Code} after {Elapsed.TotalSeconds:F1} s{(TimedOut ? " (TIMED OUT, killed)" : "")}\nstdout:\n{Out}\nstderr:\n{Err}";
    }

    /// <summary>Runs the CLI under mpirun with <paramref name="ranks"/> processes; kills the whole tree after <paramref name="timeout"/>.</summary>
    public static Result Cli(int ranks, TimeSpan timeout, params string[] cliArgs) => Start(ranks, null, cliArgs).Wait(timeout);

    /// <summary>
    /// Starts the CLI under mpirun with <paramref name="ranks"/> processes (ranks = 0: one plain process, no mpirun),
    /// with extra environment variables (mpirun passes its environment to local ranks).
    /// </summary>
    public static Running Start(int ranks, IDictionary<string, string>? env, params string[] cliArgs)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var psi = new ProcessStartInfo(ranks == 0 ? dotnet : Mpirun ?? throw new InvalidOperationException(SkipReason))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (ranks > 0)
        {
            // oversubscribe: 2 ranks may exceed the slots of a 1–2 core CI box; bind-to none: ranks must not share a pinned core
            foreach (var a in new[] { "--oversubscribe", "--bind-to", "none", "-np", ranks.ToString() }) psi.ArgumentList.Add(a);
            if (Environment.UserName == "root") psi.ArgumentList.Insert(0, "--allow-run-as-root");
            psi.ArgumentList.Add(dotnet);
        }
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ClipSharp.TestHost.dll"));
        foreach (var a in cliArgs) psi.ArgumentList.Add(a);
        psi.Environment["CLIPSHARP_DIST_BACKEND"] = "";
        psi.Environment["COLUMNS"] = "200";
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        return new Running(Process.Start(psi)!);
    }

    /// <summary>A started launch: wait for it (with a hard timeout) or find its rank processes.</summary>
    public sealed class Running(Process p)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Task<string> _out = p.StandardOutput.ReadToEndAsync(), _err = p.StandardError.ReadToEndAsync();

        public Process Process => p;

        public TimeSpan Elapsed => _clock.Elapsed;

        public Result Wait(TimeSpan timeout)
        {
            bool exited = p.WaitForExit(timeout);
            if (!exited) p.Kill(entireProcessTree: true);
            p.WaitForExit();
            var elapsed = _clock.Elapsed;
            var r = new Result(exited ? p.ExitCode : -1, _out.Result, _err.Result, elapsed, !exited);
            p.Dispose();
            return r;
        }

        /// <summary>The pid of MPI rank <paramref name="rank"/> of this launch (Open MPI's OMPI_COMM_WORLD_RANK in /proc), or null.</summary>
        public int? RankPid(int rank)
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var pid) || !DescendsFrom(pid, p.Id)) continue;
                try
                {
                    var env = File.ReadAllText(Path.Combine(dir, "environ")).Split('\0');
                    if (env.Contains($"OMPI_COMM_WORLD_RANK={rank}") && File.ReadAllText(Path.Combine(dir, "cmdline")).Contains("ClipSharp.TestHost.dll"))
                        return pid;
                }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
            return null;
        }

        private static bool DescendsFrom(int pid, int ancestor)
        {
            for (int i = 0; i < 8 && pid > 1; i++)
            {
                if (pid == ancestor) return true;
                try
                {
                    var stat = File.ReadAllText($"/proc/{pid}/stat");
                    pid = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
                }
                catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException) { return false; }
            }
            return false;
        }
    }

    private static string? FindOnPath(string exe) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, exe)).FirstOrDefault(File.Exists);
}

/// <summary>A fact that runs only where mpirun exists; otherwise it is skipped with the reason.</summary>
public sealed class MpiFactAttribute : FactAttribute
{
    public MpiFactAttribute()
    {
        if (MpiRun.SkipReason is { } why) Skip = why;
    }
}

[CollectionDefinition("Mpi", DisableParallelization = true)]
public class MpiCollection;
