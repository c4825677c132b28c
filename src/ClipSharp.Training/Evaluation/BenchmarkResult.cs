using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClipSharp.Core;

namespace ClipSharp.Evaluation;

/// <summary>
/// One evaluation result in the layout CLIP_benchmark writes per run:
/// <c>{"dataset", "model", "pretrained", "task", "metrics": {name: value}, "language"}</c>. Tasks used here:
/// "zeroshot_retrieval", "zeroshot_classification", "fine_grained_bags".
/// </summary>
public sealed record BenchmarkResult(string Dataset, string Model, string Pretrained, string Task,
    IReadOnlyDictionary<string, double> Metrics, string Language = "en")
{
    /// <summary>Further top-level entries written after "language" (e.g. counts and bad samples); ignored by <see cref="Read"/>.</summary>
    public JsonObject? Extra { get; init; }

    /// <summary>Indented JSON with snake_case keys as CLIP_benchmark writes them, then <see cref="Extra"/>.</summary>
    public string ToJson()
    {
        var metrics = new JsonObject();
        foreach (var (k, v) in Metrics) metrics[k] = double.IsFinite(v) ? v : null;
        var o = new JsonObject
        {
            ["dataset"] = Dataset, ["model"] = Model, ["pretrained"] = Pretrained,
            ["task"] = Task, ["metrics"] = metrics, ["language"] = Language,
        };
        foreach (var (k, v) in Extra ?? []) o[k] = v?.DeepClone();
        return o.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/> (folders created).</summary>
    public void Write(string path)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } d) Directory.CreateDirectory(d);
        File.WriteAllText(path, ToJson());
    }

    /// <summary>Reads a file written by <see cref="Write"/> (or by CLIP_benchmark).</summary>
    public static BenchmarkResult Read(string path)
    {
        try
        {
            var o = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            string S(string k) => o[k]?.GetValue<string>() ?? "";
            var metrics = o["metrics"]!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value?.GetValue<double>() ?? double.NaN);
            return new BenchmarkResult(S("dataset"), S("model"), S("pretrained"), S("task"), metrics, o["language"]?.GetValue<string>() ?? "en");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new ClipSharpException($"{path}: not a benchmark result ({e.Message}).", e);
        }
    }

    /// <summary>
    /// A plain-text table, one row per result and one column per metric name (union, sorted), values as percentages
    /// with two decimals when they are fractions in [0, 1].
    /// </summary>
    public static string FormatTable(IReadOnlyList<BenchmarkResult> results)
    {
        var names = results.SelectMany(r => r.Metrics.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var header = new List<string> { "dataset", "model", "task" };
        header.AddRange(names);
        var rows = new List<List<string>> { header };
        foreach (var r in results)
        {
            var row = new List<string> { r.Dataset, r.Model, r.Task };
            row.AddRange(names.Select(n => r.Metrics.TryGetValue(n, out var v) ? Format(n, v) : "-"));
            rows.Add(row);
        }
        var widths = Enumerable.Range(0, header.Count).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var sb = new StringBuilder();
        foreach (var (row, i) in rows.Select((r, i) => (r, i)))
        {
            sb.AppendLine(string.Join("  ", row.Select((cell, c) => c < 3 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
            if (i == 0) sb.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        }
        return sb.ToString();
    }

    // fractions → percent; counts and other values as they are
    private static string Format(string name, double v) =>
        !double.IsFinite(v) ? "nan"
        : v is >= 0 and <= 1 && !name.Contains("count", StringComparison.Ordinal) ? (100 * v).ToString("F2", CultureInfo.InvariantCulture)
        : v.ToString("G6", CultureInfo.InvariantCulture);
}
