using ClipSharp.Cli;

namespace ClipSharp.Tests.Cli;

/// <summary>The quickstart's results table: fits 80 columns on a terminal, plain Markdown when redirected.</summary>
public class ConsoleTableTests
{
    private static readonly string[] Headers = ["model", "T→I R@1", "T→I R@5", "T→I R@10", "I→T R@1", "I→T R@5", "I→T R@10", "bag T→I", "bag I→T", "bag caption→I"];

    private static readonly IReadOnlyList<string>[] Rows =
    [
        ["CLIPS", "1.2", "6.3", "11.5", "4.3", "13.1", "22.0", "26.2", "22.2", "18.1"],
        ["CLIP on web captions", "0.6", "3.1", "6.1", "1.1", "5.2", "9.8", "24.2", "19.1", "-"],
        ["chance", "0.1", "0.5", "1.0", "0.1", "0.5", "1.0", "18.2", "18.2", "18.2"],
    ];

    [Theory]
    [InlineData(80)]
    [InlineData(60)]
    [InlineData(200)]
    public void AlignedTablesFitTheWidthAndKeepEveryCell(int width)
    {
        var text = ConsoleTable.Aligned("Quickstart (%): built-in world eval set (1k images x 5 captions) and fine-grained bags", Headers, Rows, width);
        var lines = text.Split('\n');
        Assert.All(lines, l => Assert.True(l.Length <= width, $"{l.Length} > {width}: '{l}'"));
        foreach (var h in Headers.Skip(1)) Assert.Single(lines, l => l.Contains(h + " ", StringComparison.Ordinal) || l.EndsWith(h, StringComparison.Ordinal));
        foreach (var row in Rows)
        {
            var rowLines = lines.Where(l => l.StartsWith(row[0] + " ", StringComparison.Ordinal)).ToList();
            var cells = rowLines.SelectMany(l => l[row[0].Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
            Assert.Equal(row.Skip(1), cells);
        }
        Assert.Equal(width >= 130 ? 1 : width >= 70 ? 2 : 3, lines.Count(l => l.StartsWith("model", StringComparison.Ordinal)));
    }

    [Fact]
    public void RedirectedOutputIsAMarkdownTable()
    {
        var md = ConsoleTable.Markdown("Title", Headers, Rows).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("**Title**", md[0]);
        Assert.Equal("| " + string.Join(" | ", Headers) + " |", md[1]);
        Assert.Equal("|---" + string.Concat(Enumerable.Repeat("|---:", Headers.Length - 1)) + "|", md[2]);
        Assert.Equal("| CLIP on web captions | 0.6 | 3.1 | 6.1 | 1.1 | 5.2 | 9.8 | 24.2 | 19.1 | - |", md[4]);
        Assert.Equal(6, md.Length);
    }
}
