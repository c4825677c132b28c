using System.Text.RegularExpressions;
using ClipSharp.Tests.Support;

namespace ClipSharp.Tests;

/// <summary>
/// shared/docs/design.md's shape rules on the product code (library and CLI): files under ~300 lines (the trainer under
/// 400), methods under ~60. A method is found as a member signature on its own line followed by a line holding "{",
/// and measured to the brace at the same indentation.
/// </summary>
public partial class CodeShapeTests
{
    private const int MaxFileLines = 320, MaxTrainerLines = 400, MaxMethodLines = 60;

    [GeneratedRegex(@"^(\s+)(public|private|internal|protected|static)[^=;]*\)\s*(where .*)?$")]
    private static partial Regex MethodSignature();

    internal static IEnumerable<string> Violations(string file, string[] lines)
    {
        int maxFile = Path.GetFileName(file) == "Trainer.cs" ? MaxTrainerLines : MaxFileLines;
        if (lines.Length > maxFile) yield return $"{file}: {lines.Length} lines (at most {maxFile})";
        for (int i = 0; i + 1 < lines.Length; i++)
        {
            var m = MethodSignature().Match(lines[i]);
            if (!m.Success || lines[i + 1].Trim() != "{") continue;
            var close = m.Groups[1].Value + "}";
            for (int j = i + 2; j < lines.Length; j++)
            {
                if (!lines[j].StartsWith(close, StringComparison.Ordinal)) continue;
                if (j - i + 1 > MaxMethodLines) yield return $"{file}:{i + 1}: method of {j - i + 1} lines (at most {MaxMethodLines}): {lines[i].Trim()}";
                break;
            }
        }
    }

    [Theory]
    [InlineData("ClipSharp")]
    [InlineData("ClipSharp.Primitives")]
    [InlineData("ClipSharp.Onnx")]
    [InlineData("ClipSharp.Training")]
    [InlineData("ClipSharp.Extensions.AI")]
    [InlineData("ClipSharp.Cli")]
    [InlineData("ClipSharp.Serving")]
    public void FilesAndMethodsStaySmall(string project)
    {
        var src = Path.Combine(TestPaths.RepoRoot, "src", project);
        var violations = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .SelectMany(f => Violations(Path.GetRelativePath(src, f), File.ReadAllLines(f)))
            .ToList();
        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Fact]
    public void TheCheckCatchesALongMethodAndALongFile()
    {
        var method = new[] { "    public void Long()", "    {" }.Concat(Enumerable.Repeat("        x++;", 70)).Append("    }").ToArray();
        Assert.Single(Violations("A.cs", method), v => v.Contains("method of 73 lines"));
        Assert.Single(Violations("B.cs", Enumerable.Repeat("// line", 400).ToArray()), v => v.Contains("400 lines"));
        Assert.Empty(Violations("Trainer.cs", Enumerable.Repeat("// line", 390).ToArray()));
    }
}
