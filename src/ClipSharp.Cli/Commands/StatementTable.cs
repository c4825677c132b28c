using System.Globalization;
using System.Text.Json.Nodes;
using ClipSharp.Core;
using ClipSharp.Data;
using ClipSharp.Evaluation;
using ClipSharp.Scenes;

namespace ClipSharp.Cli.Commands;

/// <summary>
/// `eval retrieval --by-statement`: T→I recall of the captions that make each statement against those that omit it,
/// with the oracle's ceilings for the same captions when the eval file belongs to a built-in world (its oracle.json).
/// </summary>
public static class StatementTable
{
    private static readonly int[] Ks = [1, 10];

    /// <summary>Prints the table and returns the model's and the oracle's figures for the result JSON.</summary>
    public static JsonObject Report(RetrievalDataset data, RetrievalMetrics metrics, string evalFile)
    {
        if (data.CaptionStates is null)
            throw new ClipSharpException($"{evalFile}: --by-statement needs a \"mention\" record on every caption (the built-in world's eval files have them).");
        var rows = RetrievalBreakdown.ByStatement(metrics.TextRanks, data.CaptionStates, [.. metrics.TextToImage.Keys]);
        var oracle = OracleFor(evalFile);
        string Pct(IReadOnlyDictionary<int, double> r, int k) => r.TryGetValue(k, out var v) ? (100 * v).ToString("F1", CultureInfo.InvariantCulture) : "-";
        string Ora(string key) => oracle.TryGetValue(key, out var v) ? (100 * v).ToString("F1", CultureInfo.InvariantCulture) : "-";
        var headers = new List<string> { "statement", "stating: captions" };
        foreach (var k in Ks) headers.AddRange([$"stating: R@{k}", $"stating: oracle R@{k}"]);
        headers.Add("omitting: captions");
        foreach (var k in Ks) headers.AddRange([$"omitting: R@{k}", $"omitting: oracle R@{k}"]);
        var table = rows.Select(r =>
        {
            var line = new List<string> { r.Statement, r.Stating.ToString(CultureInfo.InvariantCulture) };
            foreach (var k in Ks) line.AddRange([Pct(r.StatingRecall, k), Ora(CaptionStatements.Key(r.Statement, true, $"image_retrieval_recall@{k}"))]);
            line.Add(r.Omitting.ToString(CultureInfo.InvariantCulture));
            foreach (var k in Ks) line.AddRange([Pct(r.OmittingRecall, k), Ora(CaptionStatements.Key(r.Statement, false, $"image_retrieval_recall@{k}"))]);
            return (IReadOnlyList<string>)line;
        }).ToList();
        ConsoleTable.Print($"{data.Name}: text→image recall by what the caption states (percent)", headers, table);
        return new JsonObject
        {
            ["model"] = Json(RetrievalBreakdown.ToDictionary(rows)),
            ["oracle"] = Json(oracle.Where(kv => kv.Key.Contains('/')).ToDictionary()),
        };
    }

    // A world's eval files live at WORLD/eval/NAME.json and its oracle.json keys them by that relative path.
    private static IReadOnlyDictionary<string, double> OracleFor(string evalFile)
    {
        var full = Path.GetFullPath(evalFile);
        var world = Path.GetDirectoryName(Path.GetDirectoryName(full));
        if (world is null) return new Dictionary<string, double>();
        var key = Path.GetRelativePath(world, full).Replace(Path.DirectorySeparatorChar, '/');
        return WorldOracle.Read(world).TryGetValue(key, out var o) ? o : new Dictionary<string, double>();
    }

    private static JsonObject Json(IEnumerable<KeyValuePair<string, double>> values) =>
        new(values.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
}
