using System.Text.RegularExpressions;
using ClipSharp.Tests.Support;

namespace ClipSharp.Tests;

/// <summary>
/// The library never changes process-wide state on its own (malloc tuning, MKL's dispatch, libvips' settings and log
/// handler): those calls appear only where they are defined, in <c>ProcessTuning</c>, and behind an explicit opt-in
/// (<c>TuneProcess</c>). Entry points (CLI, bench, test host) call them at start-up.
/// </summary>
public partial class ProcessStateTests
{
    [GeneratedRegex(@"\b(ProcessTuning\.Apply|NativeAllocator\.EnsureTuned|MklCpuDispatch\.Ensure|VipsSettings\.(EnsureApplied|Configure)|VipsWarnings\.Capture|mallopt)\s*\(")]
    private static partial Regex ProcessWideCall();

    // Files that define the settings themselves.
    private static readonly string[] Definitions = ["ProcessTuning.cs", "NativeAllocator.cs", "MklCpuDispatch.cs", "VipsSettings.cs", "VipsWarnings.cs"];

    internal static IEnumerable<string> Violations(string file, string source)
    {
        if (Definitions.Contains(Path.GetFileName(file))) yield break;
        var lines = source.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.TrimStart().StartsWith("//", StringComparison.Ordinal) || line.TrimStart().StartsWith("///", StringComparison.Ordinal)) continue;
            if (ProcessWideCall().IsMatch(line) && !line.Contains("TuneProcess", StringComparison.Ordinal))
                yield return $"{file}:{i + 1}: process-wide call without an opt-in: {line.Trim()}";
        }
    }

    [Fact]
    public void TheLibraryChangesProcessStateOnlyWhenAsked()
    {
        var violations = ArchitectureTests.LibraryProjects.Append("ClipSharp.Serving").Select(p => Path.Combine(TestPaths.RepoRoot, "src", p))
            .SelectMany(src => Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
                .Select(f => (src, f)))
            .SelectMany(x => Violations(Path.GetRelativePath(x.src, x.f), File.ReadAllText(x.f)))
            .ToList();
        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Fact]
    public void TheGuardCatchesAnUnaskedCall()
    {
        Assert.Single(Violations("Modeling/Layers/Transformer.cs", "    public Transformer() { NativeAllocator.EnsureTuned(); }"));
        Assert.Single(Violations("Data/Images/ImageDecoder.cs", "        VipsSettings.EnsureApplied();"));
        Assert.Empty(Violations("Inference/ClipPipeline.cs", "        if (options.TuneProcess) { ProcessTuning.Apply(); VipsSettings.EnsureApplied(); }"));
        Assert.Empty(Violations("Core/ProcessTuning.cs", "        NativeAllocator.EnsureTuned();"));
    }
}
