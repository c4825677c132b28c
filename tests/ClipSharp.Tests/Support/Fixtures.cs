using System.Text.Json;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Support;

/// <summary>
/// Enumerates fixture sets and their model cases: every manifest.json under ../shared/fixtures (read-only, made by the
/// steering generators) and under the repository's tests/fixtures (made by tests/fixture-gen), so a new fixture set or
/// case dropped into either is picked up with no code change. A manifest is named by its path relative to
/// ../shared/fixtures, or by <see cref="RepoTag"/> + its path relative to tests/fixtures.
/// </summary>
public static class Fixtures
{
    /// <summary>Prefix of manifest names that live in the repository's tests/fixtures.</summary>
    public const string RepoTag = "repo:";

    /// <summary>tests/fixtures of this repository (committed, reviewed fixtures).</summary>
    public static string RepoFixtures => Path.Combine(TestPaths.RepoRoot, "tests", "fixtures");

    /// <summary>Whether ../shared/fixtures (or $CLIPSHARP_SHARED/fixtures) exists.</summary>
    public static bool SharedPresent => Directory.Exists(TestPaths.Fixtures);

    /// <summary>Why a shared-fixture row is skipped.</summary>
    public static string SharedMissingReason =>
        $"the shared fixtures are not here ({TestPaths.Fixtures} is missing; set CLIPSHARP_SHARED): the reference values recorded there cannot be checked";

    /// <summary>The one row a shared-case member yields when the shared fixtures are missing (skipped with the reason).</summary>
    public static readonly (string Manifest, string Name) SharedMissingRow = ("../shared/fixtures (missing)", "every shared case");

    /// <summary>All manifest files of both roots (shared first).</summary>
    public static IEnumerable<string> Manifests() => SharedManifests().Concat(RepoManifests());

    /// <summary>The manifests under ../shared/fixtures.</summary>
    public static IEnumerable<string> SharedManifests() => ManifestsUnder(TestPaths.Fixtures);

    /// <summary>The manifests under the repository's tests/fixtures.</summary>
    public static IEnumerable<string> RepoManifests() => ManifestsUnder(RepoFixtures);

    private static IEnumerable<string> ManifestsUnder(string root) =>
        Directory.Exists(root) ? Directory.EnumerateFiles(root, "manifest.json", SearchOption.AllDirectories).Order() : [];

    /// <summary>The name a manifest file goes by in theory data.</summary>
    public static string NameOf(string manifestPath)
    {
        var repoRel = Path.GetRelativePath(RepoFixtures, manifestPath);
        return repoRel.StartsWith("..", StringComparison.Ordinal) ? Path.GetRelativePath(TestPaths.Fixtures, manifestPath) : RepoTag + repoRel;
    }

    /// <summary>The full path of a manifest named by <see cref="NameOf"/>.</summary>
    public static string Resolve(string manifest) =>
        manifest.StartsWith(RepoTag, StringComparison.Ordinal)
            ? Path.Combine(RepoFixtures, manifest[RepoTag.Length..])
            : Path.Combine(TestPaths.Fixtures, manifest);

    /// <summary>(manifest, model name) for every model entry of both roots whose kind is in <paramref name="kinds"/>.</summary>
    public static TheoryData<string, string> ModelCases(params string[] kinds) => Cases(Manifests(), kinds);

    /// <summary>The cases of the repository's tests/fixtures manifests.</summary>
    public static TheoryData<string, string> RepoModelCases(params string[] kinds) => Cases(RepoManifests(), kinds);

    /// <summary>The cases of the shared manifests; <see cref="SharedMissingRow"/> alone where ../shared is missing
    /// (pair with <see cref="SharedMemberDataAttribute"/>, which skips it with the reason).</summary>
    public static TheoryData<string, string> SharedModelCases(params string[] kinds)
    {
        if (SharedPresent) return Cases(SharedManifests(), kinds);
        var data = new TheoryData<string, string>();
        data.Add(SharedMissingRow.Manifest, SharedMissingRow.Name);
        return data;
    }

    private static TheoryData<string, string> Cases(IEnumerable<string> manifests, string[] kinds)
    {
        var data = new TheoryData<string, string>();
        foreach (var m in manifests)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(m));
            if (!doc.RootElement.TryGetProperty("models", out var models)) continue;
            foreach (var e in models.EnumerateArray())
                if (kinds.Contains(e.GetProperty("kind").GetString()))
                    data.Add(NameOf(m), e.GetProperty("name").GetString()!);
        }
        return data;
    }

    /// <summary>The model entry of a manifest (a clone that outlives the document).</summary>
    public static (JsonElement Model, JsonElement Manifest, string Dir) Model(string manifest, string name)
    {
        var path = Resolve(manifest);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement.Clone();
        var model = root.GetProperty("models").EnumerateArray().First(e => e.GetProperty("name").GetString() == name);
        return (model, root, Path.GetDirectoryName(path)!);
    }

    /// <summary>Strictly loads a state dict through the library's loader (the path users take).</summary>
    public static void LoadStrict(TorchSharp.torch.nn.Module module, IReadOnlyDictionary<string, Tensor> weights) =>
        ClipSharp.Checkpoints.StateDictLoader.Load(module, weights, strict: true);
}
