namespace ClipSharp.Fuzz;

/// <summary>Where seeds come from: the repository (configs, test data) and the shared fixtures (tokenizer vocabularies).</summary>
public sealed record FuzzPaths(string RepoRoot, string Fixtures)
{
    /// <summary>The repository above the binaries (or the working directory, for a copied build); fixtures from $CLIPSHARP_SHARED/fixtures or the first shared/fixtures
    /// found beside the repository or one of its parents.</summary>
    public static FuzzPaths Find()
    {
        static bool IsRepo(string d) => File.Exists(Path.Combine(d, "ClipSharp.sln"));
        var repo = Up(AppContext.BaseDirectory, IsRepo) ?? Up(Directory.GetCurrentDirectory(), IsRepo)
            ?? throw new InvalidOperationException($"ClipSharp.sln not found above {AppContext.BaseDirectory} or the working directory");
        var env = Environment.GetEnvironmentVariable("CLIPSHARP_SHARED");
        var fixtures = env is { Length: > 0 } ? Path.Combine(env, "fixtures")
            : Up(Path.GetDirectoryName(repo)!, d => Directory.Exists(Path.Combine(d, "shared", "fixtures"))) is { } parent
                ? Path.Combine(parent, "shared", "fixtures") : Path.Combine(repo, "..", "shared", "fixtures");
        return new FuzzPaths(repo, Path.GetFullPath(fixtures));
    }

    private static string? Up(string start, Func<string, bool> found)
    {
        for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
            if (found(d.FullName)) return d.FullName;
        return null;
    }
}
