using System.Reflection;
using ClipSharp.Inference;
using ClipSharp.Tests.Support;

namespace ClipSharp.Tests;

/// <summary>
/// The torch-free assembly (src/ClipSharp.Primitives: tokenizers, image decode and preprocessing, errors, the encoder
/// abstraction) is what an ONNX Runtime app references: it must never reference TorchSharp, nor the training-only
/// dependencies (ScottPlot, Parquet.Net). Checked on the compiled assembly and on the project's source and file.
/// </summary>
public class TorchFreeAssemblyTests
{
    private static readonly string[] Forbidden = ["TorchSharp", "ScottPlot", "Parquet"];

    internal static IEnumerable<string> ForbiddenReferences(Assembly assembly) =>
        assembly.GetReferencedAssemblies().Select(a => a.Name ?? "")
            .Where(n => Forbidden.Any(f => n.StartsWith(f, StringComparison.OrdinalIgnoreCase)));

    [Theory]
    [InlineData(typeof(IClipEncoder), "ClipSharp.Primitives")]
    [InlineData(typeof(ClipSharp.Onnx.OnnxClipPipeline), "ClipSharp.Onnx")]
    [InlineData(typeof(ClipSharp.Extensions.AI.ClipTextEmbeddingGenerator), "ClipSharp.Extensions.AI")]
    public void TheTorchFreeAssembliesReferenceNoTorch(Type type, string name)
    {
        var asm = type.Assembly;
        Assert.Equal(name, asm.GetName().Name);
        var bad = ForbiddenReferences(asm).ToList();
        Assert.True(bad.Count == 0, $"{asm.GetName().Name} references {string.Join(", ", bad)}");
    }

    // The torch library is what an inference app references (ClipSharpNet.TorchSharp): training-only dependencies
    // (plots, Parquet) live in ClipSharp.Training.
    [Fact]
    public void TheTorchLibraryCarriesNoTrainingOnlyDependency()
    {
        var refs = ForbiddenReferences(typeof(ClipPipeline).Assembly).ToList();
        Assert.Equal(["TorchSharp"], refs);
        var project = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "src", "ClipSharp", "ClipSharp.csproj"));
        Assert.DoesNotContain("ScottPlot", project, StringComparison.Ordinal);
        Assert.DoesNotContain("Parquet", project, StringComparison.Ordinal);
        Assert.Contains("ScottPlot", ForbiddenReferences(typeof(ClipSharp.Training.Trainer).Assembly));   // the check can fail
    }

    [Fact]
    public void TheCheckCatchesATorchReference() =>
        Assert.Contains("TorchSharp", ForbiddenReferences(typeof(ClipPipeline).Assembly));

    [Theory]
    [InlineData("ClipSharp.Primitives", "")]
    [InlineData("ClipSharp.Onnx", "ClipSharp.Primitives")]
    [InlineData("ClipSharp.Extensions.AI", "ClipSharp.Primitives")]
    public void TheTorchFreeProjectsNameNoTorch(string name, string onlyReference)
    {
        var dir = Path.Combine(TestPaths.RepoRoot, "src", name);
        var project = File.ReadAllText(Path.Combine(dir, name + ".csproj"));
        Assert.DoesNotContain("Torch.props", project, StringComparison.Ordinal);
        var refs = System.Text.RegularExpressions.Regex.Matches(project, @"<ProjectReference Include=""[^""]*?([\w.]+)\.csproj""")
            .Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(onlyReference.Length == 0 ? [] : [onlyReference], refs);
        var offenders = Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Where(f => File.ReadLines(f).Any(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal) && l.Contains("TorchSharp", StringComparison.Ordinal)))
            .ToList();
        Assert.True(offenders.Count == 0, string.Join('\n', offenders));
    }
}
