using System.Text;

namespace ClipSharp.Cli;

/// <summary>
/// A results table for the console: a plain Markdown table when stdout is redirected (logs, CI, files: readable as text
/// and as Markdown), and on a terminal an aligned table that never wraps: when all columns do not fit the width, the
/// columns are split into several tables, each repeating the first (row label) column.
/// </summary>
public static class ConsoleTable
{
    /// <summary>Prints to stdout in the form that suits it.</summary>
    public static void Print(string title, IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var width = Console.IsOutputRedirected ? int.MaxValue : Math.Max(40, SafeWindowWidth());
        Console.Write(Console.IsOutputRedirected ? Markdown(title, headers, rows) : Aligned(title, headers, rows, width));
    }

    /// <summary>"**title**", then a GitHub Markdown table (label column left-aligned, the others right-aligned) and a blank line.</summary>
    public static string Markdown(string title, IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var sb = new StringBuilder().Append("**").Append(title).Append("**\n\n");
        sb.Append("| ").Append(string.Join(" | ", headers)).Append(" |\n");
        sb.Append("|---").Append(string.Concat(Enumerable.Repeat("|---:", headers.Count - 1))).Append("|\n");
        foreach (var r in rows) sb.Append("| ").Append(string.Join(" | ", r.Select(c => c.Replace("|", "\\|")))).Append(" |\n");
        return sb.Append('\n').ToString();                                   // a blank line ends the table before what follows
    }

    /// <summary>Space-aligned tables no line of which is longer than <paramref name="width"/> (unless one column alone is).</summary>
    public static string Aligned(string title, IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows, int width)
    {
        var w = Enumerable.Range(0, headers.Count).Select(i => rows.Select(r => r[i].Length).Append(headers[i].Length).Max()).ToArray();
        var sb = new StringBuilder();
        foreach (var line in Wrap(title, width)) sb.Append(line).Append('\n');
        foreach (var group in ColumnGroups(w, width))
        {
            var cols = new[] { 0 }.Concat(group).ToList();
            sb.Append('\n').Append(Line(cols, w, headers)).Append('\n');
            sb.Append(string.Join("  ", cols.Select(c => new string('-', w[c])))).Append('\n');
            foreach (var r in rows) sb.Append(Line(cols, w, r)).Append('\n');
        }
        return sb.ToString();
    }

    // Greedy: as many columns after the label column as fit in width (2 spaces between columns).
    private static List<List<int>> ColumnGroups(int[] w, int width)
    {
        var groups = new List<List<int>>();
        var current = new List<int>();
        int used = w[0];
        for (int c = 1; c < w.Length; c++)
        {
            if (current.Count > 0 && used + 2 + w[c] > width) { groups.Add(current); current = []; used = w[0]; }
            current.Add(c);
            used += 2 + w[c];
        }
        if (current.Count > 0) groups.Add(current);
        return groups;
    }

    private static string Line(List<int> cols, int[] w, IReadOnlyList<string> cells) =>
        string.Join("  ", cols.Select(c => c == 0 ? cells[c].PadRight(w[c]) : cells[c].PadLeft(w[c]))).TrimEnd();

    private static IEnumerable<string> Wrap(string text, int width)
    {
        var line = new StringBuilder();
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width) { yield return line.ToString(); line.Clear(); }
            if (line.Length > 0) line.Append(' ');
            line.Append(word);
        }
        if (line.Length > 0) yield return line.ToString();
    }

    private static int SafeWindowWidth()
    {
        try { return Console.WindowWidth > 0 ? Console.WindowWidth : 80; }
        catch (IOException) { return 80; }
    }
}
