using System.Text.RegularExpressions;
using ClipSharp.Tests.Support;

namespace ClipSharp.Tests;

/// <summary>
/// Enforces the layer rule of ARCHITECTURE.md on the library's and the CLI's source: a file in namespace ClipSharp.X
/// may only name (by `using` or by a qualified name) the ClipSharp layers that X is allowed to depend on.
/// </summary>
public partial class ArchitectureTests
{
    // layer -> layers it may depend on (Core is always allowed). Keep in sync with ARCHITECTURE.md. The rule of
    // shared/docs/design.md: Text, Checkpoints and Modeling know nothing of Data/Training/Evaluation; Data knows nothing
    // of Training; Inference never depends on Training; Evaluation knows no world (Scenes) and no facade (Inference);
    // only Workflows (quickstart, experiments, reports) sits above Training; only the CLI parses command lines.
    private static readonly string[] Library =
        ["Text", "Checkpoints", "Modeling", "Data", "Scenes", "Distributed", "Encoders", "Inference", "Export", "Evaluation", "Reporting", "Training", "Workflows"];

    internal static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Core"] = [],
        ["Text"] = [],
        ["Checkpoints"] = [],
        ["Modeling"] = ["Checkpoints"],
        ["Data"] = ["Text"],
        ["Scenes"] = ["Text", "Data"],
        ["Distributed"] = [],
        ["Encoders"] = ["Text", "Checkpoints", "Modeling", "Data"],
        ["Inference"] = ["Text", "Checkpoints", "Modeling", "Data", "Encoders"],
        ["Export"] = ["Text", "Checkpoints", "Modeling", "Data", "Encoders"],
        ["Onnx"] = ["Text", "Data", "Inference", "Export"],
        ["Evaluation"] = ["Text", "Checkpoints", "Modeling", "Data", "Encoders"],
        ["Reporting"] = [],
        ["Training"] = ["Text", "Checkpoints", "Modeling", "Data", "Distributed", "Encoders", "Evaluation"],
        ["Extensions"] = ["Inference"],   // src/ClipSharp.Extensions.AI: the MEAI generators over IClipEncoder
        ["Workflows"] = ["Text", "Checkpoints", "Modeling", "Data", "Scenes", "Distributed", "Encoders", "Inference", "Evaluation", "Reporting", "Training"],
        // the server (src/ClipSharp.Serving): the facade, images and text, never the trainer; no library layer may name it
        ["Serving"] = ["Text", "Data", "Inference"],
        ["Cli"] = ["Core", "Serving", .. Library],
    };

    [GeneratedRegex(@"^\s*namespace\s+ClipSharp\.(\w+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceDecl();

    [GeneratedRegex(@"\bClipSharp\.(\w+)")]
    private static partial Regex LayerReference();

    // topLevelLayer: the layer of a file without a namespace (a Program.cs with top-level statements), else an error.
    internal static IEnumerable<string> Violations(string file, string source, string? topLevelLayer = null)
    {
        var ns = NamespaceDecl().Match(source);
        if (!ns.Success && topLevelLayer is null) { yield return $"{file}: no ClipSharp.<Layer> namespace"; yield break; }
        var layer = ns.Success ? ns.Groups[1].Value : topLevelLayer!;
        if (!Allowed.TryGetValue(layer, out var allowed)) { yield return $"{file}: unknown layer '{layer}'"; yield break; }
        var code = string.Join('\n', source.Split('\n').Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal)));
        foreach (var used in LayerReference().Matches(code).Select(m => m.Groups[1].Value).Distinct())
            if (used != layer && used != "Core" && Allowed.ContainsKey(used) && !allowed.Contains(used))
                yield return $"{file}: layer {layer} must not depend on {used}";
    }

    // The library projects: the torch library and what it is split into (each folder a layer, as in one project).
    internal static readonly string[] LibraryProjects = ["ClipSharp", "ClipSharp.Primitives", "ClipSharp.Onnx", "ClipSharp.Training", "ClipSharp.Extensions.AI"];

    [Theory]
    [InlineData("ClipSharp")]
    [InlineData("ClipSharp.Primitives")]
    [InlineData("ClipSharp.Onnx")]
    [InlineData("ClipSharp.Training")]
    [InlineData("ClipSharp.Extensions.AI")]
    [InlineData("ClipSharp.Cli")]
    [InlineData("ClipSharp.Serving")]
    public void SourceNamespacesFollowTheLayerRule(string project)
    {
        var src = Path.Combine(TestPaths.RepoRoot, "src", project);
        var files = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .ToList();
        Assert.NotEmpty(files);
        var topLevel = project == "ClipSharp.Cli" ? "Cli" : null;
        var violations = files.SelectMany(f => Violations(Path.GetRelativePath(src, f), File.ReadAllText(f),
            Path.GetFileName(f) == "Program.cs" ? topLevel : null)).ToList();
        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    // The command line is parsed in the CLI only: no library file names System.CommandLine.
    [Fact]
    public void OnlyTheCliParsesCommandLines()
    {
        var offenders = LibraryProjects.SelectMany(p => Directory.EnumerateFiles(Path.Combine(TestPaths.RepoRoot, "src", p), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && File.ReadAllText(f).Contains("System.CommandLine", StringComparison.Ordinal))
            .ToList();
        Assert.True(offenders.Count == 0, string.Join('\n', offenders));
    }

    [Fact]
    public void TheRuleCatchesAForbiddenDependency()
    {
        const string bad = "using ClipSharp.Training;\nnamespace ClipSharp.Modeling;\nclass X {}";
        Assert.Contains(Violations("X.cs", bad), v => v.Contains("Modeling must not depend on Training"));
        const string good = "using ClipSharp.Checkpoints;\nnamespace ClipSharp.Modeling;\nclass X {}";
        Assert.Empty(Violations("X.cs", good));
        const string world = "using ClipSharp.Scenes;\nnamespace ClipSharp.Evaluation;\nclass X {}";
        Assert.Contains(Violations("X.cs", world), v => v.Contains("Evaluation must not depend on Scenes"));
        const string facade = "namespace ClipSharp.Training.Runs;\nclass X { object m = ClipSharp.Inference.ModelLoader.FromDirectory(\"d\"); }";
        Assert.Contains(Violations("X.cs", facade), v => v.Contains("Training must not depend on Inference"));
        const string server = "using ClipSharp.Training;\nnamespace ClipSharp.Serving;\nclass X {}";
        Assert.Contains(Violations("X.cs", server), v => v.Contains("Serving must not depend on Training"));
        const string up = "namespace ClipSharp.Inference;\nclass X { object s = new ClipSharp.Serving.ItemIds(); }";
        Assert.Contains(Violations("X.cs", up), v => v.Contains("Inference must not depend on Serving"));
        const string cli = "using ClipSharp.Workflows.Quickstart;\nnamespace ClipSharp.Cli.Commands;\nclass X {}";
        Assert.Empty(Violations("X.cs", cli));
    }

    // The library never references the server project (ASP.NET Core stays out of src/ClipSharp); the server
    // references the library only.
    [Fact]
    public void TheLibraryNeverReferencesTheServer()
    {
        foreach (var project in LibraryProjects)
        {
            var lib = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "src", project, project + ".csproj"));
            Assert.DoesNotContain("ClipSharp.Serving", lib);
            Assert.DoesNotContain("Microsoft.AspNetCore", lib);
        }
        var server = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "src", "ClipSharp.Serving", "ClipSharp.Serving.csproj"));
        var refs = ProjectReference().Matches(server).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["../ClipSharp/ClipSharp.csproj"], refs);
    }

    [GeneratedRegex("<ProjectReference Include=\"([^\"]+)\"")]
    private static partial Regex ProjectReference();

    [Theory]
    [InlineData("ClipSharp")]
    [InlineData("ClipSharp.Primitives")]
    [InlineData("ClipSharp.Training")]
    public void EachFolderMatchesItsNamespace(string project)
    {
        var src = Path.Combine(TestPaths.RepoRoot, "src", project);
        foreach (var f in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/")))
        {
            var folder = Path.GetRelativePath(src, f).Split(Path.DirectorySeparatorChar)[0];
            var ns = NamespaceDecl().Match(File.ReadAllText(f));
            Assert.True(ns.Success && ns.Groups[1].Value == folder, $"{f}: namespace should start with ClipSharp.{folder}");
        }
    }
}
