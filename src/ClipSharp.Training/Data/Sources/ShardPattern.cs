using System.Text;
using ClipSharp.Core;

namespace ClipSharp.Data.Sources;

/// <summary>
/// Expands shard specifications: brace ranges <c>{000000..000099}</c> (zero-padded to the width of the first bound
/// when it has a leading zero), brace lists <c>{a,b,c}</c>, several patterns joined by "::", and directories (all
/// their <c>.tar</c> files, sorted). The order is the written order; duplicates are kept once.
/// </summary>
public static class ShardPattern
{
    /// <summary>The expanded paths (not checked for existence, except that a directory is listed).</summary>
    public static IReadOnlyList<string> Expand(string spec, string extension = ".tar")
    {
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in spec.Split("::", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Directory.Exists(part))
            {
                foreach (var f in Directory.EnumerateFiles(part, "*" + extension).Order(StringComparer.Ordinal))
                    if (seen.Add(f)) result.Add(f);
                continue;
            }
            foreach (var p in ExpandBraces(part))
                if (seen.Add(p)) result.Add(p);
        }
        return result;
    }

    /// <summary>Brace expansion of one pattern (nested braces are not supported).</summary>
    public static IEnumerable<string> ExpandBraces(string pattern)
    {
        int open = pattern.IndexOf('{');
        if (open < 0) { yield return pattern; yield break; }
        int close = pattern.IndexOf('}', open);
        if (close < 0) throw new ClipSharpException($"Shard pattern \"{pattern}\" has an unclosed '{{'.");
        var head = pattern[..open];
        var body = pattern[(open + 1)..close];
        var tails = ExpandBraces(pattern[(close + 1)..]).ToList();
        foreach (var alt in Alternatives(body, pattern))
            foreach (var tail in tails)
                yield return head + alt + tail;
    }

    private static IEnumerable<string> Alternatives(string body, string pattern)
    {
        int dots = body.IndexOf("..", StringComparison.Ordinal);
        if (dots < 0) return body.Split(',');
        var (a, b) = (body[..dots], body[(dots + 2)..]);
        if (!long.TryParse(a, out var from) || !long.TryParse(b, out var to))
            throw new ClipSharpException($"Shard pattern \"{pattern}\": the range {{{body}}} needs integer bounds.");
        if (to < from) throw new ClipSharpException($"Shard pattern \"{pattern}\": the range {{{body}}} is empty (end before start).");
        if (to - from > 10_000_000) throw new ClipSharpException($"Shard pattern \"{pattern}\": the range {{{body}}} is too large.");
        int width = a.Length > 1 && a[0] == '0' ? a.Length : 0;
        return Range(from, to, width);
    }

    private static IEnumerable<string> Range(long from, long to, int width)
    {
        var sb = new StringBuilder();
        for (long i = from; i <= to; i++)
        {
            sb.Clear();
            var digits = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (digits.Length < width) sb.Append('0', width - digits.Length);
            yield return sb.Append(digits).ToString();
        }
    }
}
