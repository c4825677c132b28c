using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClipSharp.Data;

/// <summary>The first skipped sample of one reason.</summary>
public sealed record BadSampleOccurrence(string Origin, string Key, string Message);

/// <summary>
/// An immutable snapshot of skipped samples: how many per reason (see <see cref="BadSampleReasons"/>) and the first
/// occurrence of each.
/// </summary>
public sealed record BadSampleReport(IReadOnlyDictionary<string, long> Counts, IReadOnlyDictionary<string, BadSampleOccurrence> First)
{
    /// <summary>No bad samples.</summary>
    public static BadSampleReport Empty { get; } = new(new Dictionary<string, long>(), new Dictionary<string, BadSampleOccurrence>());

    /// <summary>All skipped samples.</summary>
    public long Total => Counts.Values.Sum();

    /// <summary>Count for one reason (0 when absent).</summary>
    public long this[string reason] => Counts.TryGetValue(reason, out var n) ? n : 0;

    /// <summary>JSON: <c>{"total": n, "by_reason": {reason: {"count", "first": {"origin", "key", "message"}}}}</c>, reasons sorted.</summary>
    public string ToJson(bool indented = false) => ToJsonNode().ToJsonString(new JsonSerializerOptions { WriteIndented = indented });

    /// <summary>The JSON object of <see cref="ToJson"/>, for embedding in run metrics.</summary>
    public JsonObject ToJsonNode()
    {
        var by = new JsonObject();
        foreach (var (reason, count) in Counts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var entry = new JsonObject { ["count"] = count };
            if (First.TryGetValue(reason, out var f))
                entry["first"] = new JsonObject { ["origin"] = f.Origin, ["key"] = f.Key, ["message"] = f.Message };
            by[reason] = entry;
        }
        return new JsonObject { ["total"] = Total, ["by_reason"] = by };
    }

    /// <summary>One line: "3 bad samples: corrupt_image 2, missing_image 1" or "no bad samples".</summary>
    public string Summary() => Total == 0
        ? "no bad samples"
        : $"{Total} bad sample{(Total == 1 ? "" : "s")}: " +
          string.Join(", ", Counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value}"));
}
