using System.Diagnostics;

namespace ClipSharp.Tests.Distributed;

/// <summary>Launches `mpirun -np N dotnet ClipSharp.Cli.dll ...` from the test output folder, with a hard timeout.</summary>
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
    public static Result Cli(int ranks, TimeSpan timeout, params string[] cliArgs)
    {
        var psi = new ProcessStartInfo(Mpirun ?? throw new InvalidOperationException(SkipReason))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // oversubscribe: 2 ranks may exceed the slots of a 1–2 core CI box; bind-to none: ranks must not share a pinned core
        foreach (var a in new[] { "--oversubscribe", "--bind-to", "none", "-np", ranks.ToString() }) psi.ArgumentList.Add(a);
        if (Environment.UserName == "root") psi.ArgumentList.Insert(0, "--allow-run-as-root");
        psi.ArgumentList.Add(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet");
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ClipSharp.Cli.dll"));
        foreach (var a in cliArgs) psi.ArgumentList.Add(a);
        psi.Environment["CLIPSHARP_DIST_BACKEND"] = "";

        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        bool exited = p.WaitForExit(timeout);
        if (!exited) p.Kill(entireProcessTree: true);
        p.WaitForExit();
        sw.Stop();
        return new Result(exited ? p.ExitCode : -1, stdout.Result, stderr.Result, sw.Elapsed, !exited);
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
