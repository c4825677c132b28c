using System.Text.RegularExpressions;
using ClipSharp.Tests.Support;

namespace ClipSharp.Tests;

/// <summary>
/// Enforces the layer rule of ARCHITECTURE.md on the library's source: a file in namespace ClipSharp.X may only
/// name (by `using` or by a qualified name) the ClipSharp layers that X is allowed to depend on.
/// </summary>
public partial class ArchitectureTests
{
    // layer -> layers it may depend on (Core is always allowed). Keep in sync with ARCHITECTURE.md.
    internal static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Core"] = [],
        ["Text"] = [],
        ["Checkpoints"] = [],
        ["Modeling"] = ["Checkpoints"],
        ["Data"] = ["Text"],
        ["Scenes"] = ["Text", "Data"],
        ["Distributed"] = [],
        ["Inference"] = ["Text", "Checkpoints", "Modeling", "Data"],
        ["Evaluation"] = ["Text", "Checkpoints", "Modeling", "Data", "Scenes", "Inference"],
        ["Training"] = ["Text", "Checkpoints", "Modeling", "Data", "Scenes", "Inference", "Evaluation", "Distributed", "Reporting"],
        ["Reporting"] = ["Core"],
    };

    [GeneratedRegex(@"^\s*namespace\s+ClipSharp\.(\w+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceDecl();

    [GeneratedRegex(@"\bClipSharp\.(\w+)")]
    private static partial Regex LayerReference();

    internal static IEnumerable<string> Violations(string file, string source)
    {
        var ns = NamespaceDecl().Match(source);
        if (!ns.Success) { yield return $"{file}: no ClipSharp.<Layer> namespace"; yield break; }
        var layer = ns.Groups[1].Value;
        if (!Allowed.TryGetValue(layer, out var allowed)) { yield return $"{file}: unknown layer '{layer}'"; yield break; }
        var code = string.Join('\n', source.Split('\n').Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal)));
        foreach (var used in LayerReference().Matches(code).Select(m => m.Groups[1].Value).Distinct())
            if (used != layer && used != "Core" && Allowed.ContainsKey(used) && !allowed.Contains(used))
                yield return $"{file}: layer {layer} must not depend on {used}";
    }

    [Fact]
    public void LibraryNamespacesFollowTheLayerRule()
    {
        var src = Path.Combine(TestPaths.RepoRoot, "src", "ClipSharp");
        var violations = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .SelectMany(f => Violations(Path.GetRelativePath(src, f), File.ReadAllText(f)))
            .ToList();
        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Fact]
    public void TheRuleCatchesAForbiddenDependency()
    {
        const string bad = "using ClipSharp.Training;\nnamespace ClipSharp.Modeling;\nclass X {}";
        Assert.Contains(Violations("X.cs", bad), v => v.Contains("Modeling must not depend on Training"));
        const string good = "using ClipSharp.Checkpoints;\nnamespace ClipSharp.Modeling;\nclass X {}";
        Assert.Empty(Violations("X.cs", good));
    }

    [Fact]
    public void EachFolderMatchesItsNamespace()
    {
        var src = Path.Combine(TestPaths.RepoRoot, "src", "ClipSharp");
        foreach (var f in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/")))
        {
            var folder = Path.GetRelativePath(src, f).Split(Path.DirectorySeparatorChar)[0];
            var ns = NamespaceDecl().Match(File.ReadAllText(f));
            Assert.True(ns.Success && ns.Groups[1].Value == folder, $"{f}: namespace should start with ClipSharp.{folder}");
        }
    }
}
