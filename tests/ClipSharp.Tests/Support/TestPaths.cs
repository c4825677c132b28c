namespace ClipSharp.Tests.Support;

/// <summary>Where the repository and the read-only shared material (../shared) are.</summary>
public static class TestPaths
{
    /// <summary>The repository root (the folder that holds ClipSharp.sln).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>../shared beside the repository, or $CLIPSHARP_SHARED.</summary>
    public static string SharedRoot { get; } =
        Environment.GetEnvironmentVariable("CLIPSHARP_SHARED") is { Length: > 0 } s
            ? Path.GetFullPath(s)
            : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    /// <summary>../shared/fixtures.</summary>
    public static string Fixtures => Path.Combine(SharedRoot, "fixtures");

    /// <summary>A fresh empty temporary directory, deleted by the OS's temp cleanup.</summary>
    public static string NewTempDir(string prefix = "clipsharp-test")
    {
        var dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "ClipSharp.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("ClipSharp.sln not found above " + AppContext.BaseDirectory);
    }
}
