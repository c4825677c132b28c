using System.Diagnostics;
using System.Globalization;

namespace ClipSharp.Tests.Support;

/// <summary>Where the repository and the read-only shared material (../shared) are, and the tests' temp folders.</summary>
public static class TestPaths
{
    private static readonly TimeSpan QuietBeforeDelete = TimeSpan.FromMinutes(10);
    private static readonly Lazy<string> ProcessTempRoot = new(CreateProcessTempRoot, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The repository root (the folder that holds ClipSharp.sln).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>../shared beside the repository, or $CLIPSHARP_SHARED.</summary>
    public static string SharedRoot { get; } =
        Environment.GetEnvironmentVariable("CLIPSHARP_SHARED") is { Length: > 0 } s
            ? Path.GetFullPath(s)
            : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    /// <summary>../shared/fixtures.</summary>
    public static string Fixtures => Path.Combine(SharedRoot, "fixtures");

    /// <summary>
    /// The folder that holds every temp folder of this test process: <c>$TMPDIR/clipsharp-tests/&lt;pid&gt;-&lt;start
    /// seconds&gt;-&lt;random&gt;</c>. It is deleted when the process exits; roots left by processes that died without
    /// exiting (killed, crashed) are deleted by the next test process that asks for a temp folder.
    /// </summary>
    public static string TempRoot => ProcessTempRoot.Value;

    /// <summary>A fresh empty temporary directory under <see cref="TempRoot"/> (gone when the test process exits).</summary>
    public static string NewTempDir(string prefix = "clipsharp-test")
    {
        var dir = Path.Combine(TempRoot, $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>$TMPDIR/clipsharp-tests: the parent of every test process's <see cref="TempRoot"/>.</summary>
    public static string Parent => Path.Combine(Path.GetTempPath(), "clipsharp-tests");

    private static string CreateProcessTempRoot()
    {
        DeleteStaleRoots();
        var root = Path.Combine(Parent, $"{Environment.ProcessId}-{StartSeconds(Process.GetCurrentProcess())}-{Guid.NewGuid().ToString("N")[..12]}");
        Directory.CreateDirectory(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Discard(root);
        return root;
    }

    // a root "<pid>-<start seconds>-..." is stale when no process has that id, or the one that has it started at
    // another time (the id was reused; 2 s of slack: the start time is derived from the boot time on each read), and
    // no folder was made in it for QuietBeforeDelete (a guard for a process in another pid namespace sharing /tmp)
    /// <summary>Deletes the temp roots of test processes that no longer run (done once per process before its own root is made).</summary>
    public static void DeleteStaleRoots()
    {
        if (!Directory.Exists(Parent)) return;
        foreach (var dir in Directory.EnumerateDirectories(Parent))
        {
            if (Path.GetFileName(dir).StartsWith("trash-", StringComparison.Ordinal)) { TryDelete(dir); continue; }
            var parts = Path.GetFileName(dir).Split('-');
            if (parts.Length < 3 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out var pid)
                || !long.TryParse(parts[1], CultureInfo.InvariantCulture, out var started)) continue;
            if (!IsAlive(pid, started) && Directory.GetLastWriteTimeUtc(dir) < DateTime.UtcNow - QuietBeforeDelete) TryDelete(dir);
        }
    }

    private static bool IsAlive(int pid, long startSeconds)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return Math.Abs(StartSeconds(p) - startSeconds) <= 2;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException) { return false; }   // no such process
        catch (Exception) { return true; }   // cannot tell: keep it
    }

    internal static long StartSeconds(Process p) => p.StartTime.ToUniversalTime().Ticks / TimeSpan.TicksPerSecond;

    // at exit: vstest kills the test host soon after the run, often before a recursive delete of a few hundred MB ends,
    // so the root is first renamed to "trash-..." (instant; any process sweeps those), then removed by a detached rm
    // that outlives the host, or in process when rm cannot be started
    private static void Discard(string root)
    {
        var trash = Path.Combine(Parent, $"trash-{Guid.NewGuid():N}");
        try { Directory.Move(root, trash); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { trash = root; }
        try
        {
            var rm = new ProcessStartInfo("rm") { UseShellExecute = false, ArgumentList = { "-rf", "--", trash } };
            using var _ = Process.Start(rm);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException) { TryDelete(trash); }
    }

    private static void TryDelete(string dir)
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }   // another process got there first, or a file is held
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "ClipSharp.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("ClipSharp.sln not found above " + AppContext.BaseDirectory);
    }
}
