using System.Globalization;
using ClipSharp.Reporting;

namespace ClipSharp.Workflows.Experiments;

/// <summary>A column of an experiment table: an eval's metric, its header, and the factor to its display unit.</summary>
public sealed record MetricColumn(string Eval, string Key, string Header, double Scale = 100);

/// <summary>The tables and notes both experiment reports share (mean ± sample sd over seeds, per-seed values).</summary>
public static class ExperimentReport
{
    /// <summary>R@1/5/10 both ways of a retrieval eval (percent), then its mean recall (points).</summary>
    public static IReadOnlyList<MetricColumn> RetrievalColumns(string eval, bool withMeanRecall = true)
    {
        var suffix = eval == ExperimentWorld.RetrievalEval ? "" : $" ({eval})";
        var cols = new List<MetricColumn>
        {
            new(eval, "image_retrieval_recall@1", "T→I R@1" + suffix), new(eval, "image_retrieval_recall@5", "T→I R@5" + suffix),
            new(eval, "image_retrieval_recall@10", "T→I R@10" + suffix), new(eval, "text_retrieval_recall@1", "I→T R@1" + suffix),
            new(eval, "text_retrieval_recall@5", "I→T R@5" + suffix), new(eval, "text_retrieval_recall@10", "I→T R@10" + suffix),
        };
        if (withMeanRecall) cols.Add(new(eval, ExperimentWorld.MeanRecallKey, "mean recall" + suffix, 1));
        return cols;
    }

    /// <summary>The bag accuracies (percent); caption→I exists for captioning models only.</summary>
    public static IReadOnlyList<MetricColumn> BagColumns { get; } =
    [
        new(ExperimentWorld.BagEval, "text_to_image_acc", "bag T→I"), new(ExperimentWorld.BagEval, "image_to_text_acc", "bag I→T"),
        new(ExperimentWorld.BagEval, "caption_self_retrieval_acc", "bag caption→I"),
    ];

    /// <summary>The columns at least one configuration has a value for (e.g. caption→I only with a captioner).</summary>
    public static IReadOnlyList<MetricColumn> Present(IEnumerable<ConfigResult> results, IReadOnlyList<MetricColumn> columns) =>
        columns.Where(c => results.Any(r => r.Stat(c.Eval, c.Key).N > 0)).ToList();

    /// <summary>One row per configuration: its label, then "mean ± sd" of each column ("-" where no run has it).</summary>
    public static List<IReadOnlyList<string>> SummaryRows(IEnumerable<ConfigResult> results, IReadOnlyList<MetricColumn> columns) =>
        results.Select(r => (IReadOnlyList<string>)[r.Config.Label, .. columns.Select(c => Scaled(r.Stat(c.Eval, c.Key), c.Scale).Format())]).ToList();

    /// <summary>One row per configuration: its label, then the column's value for each seed.</summary>
    public static List<IReadOnlyList<string>> PerSeedRows(IEnumerable<ConfigResult> results, MetricColumn column, IReadOnlyList<ulong> seeds) =>
        results.Select(r => (IReadOnlyList<string>)[r.Config.Label, .. seeds.Select(s =>
            r.Runs.FirstOrDefault(x => x.Seed == s)?.Metric(column.Eval, column.Key) is { } v && double.IsFinite(v)
                ? (v * column.Scale).ToString("0.00", CultureInfo.InvariantCulture) : "-")]).ToList();

    /// <summary>The per-seed table's headers.</summary>
    public static IReadOnlyList<string> SeedHeaders(IReadOnlyList<ulong> seeds) => ["configuration", .. seeds.Select(s => $"seed {s}")];

    /// <summary>A paragraph on how the numbers were made: steps, seeds, runs trained or reused, training time.</summary>
    public static string Note(ExperimentOptions o, IReadOnlyList<ConfigResult> results, string worldDir)
    {
        var runs = results.SelectMany(r => r.Runs).ToList();
        double seconds = runs.Where(r => double.IsFinite(r.TrainSeconds)).Sum(r => r.TrainSeconds);
        return $"{results.Count} configurations × {o.Seeds.Count} seeds ({string.Join(", ", o.Seeds)}), {o.Steps} steps each" +
               (o.Overrides.Count > 0 ? $", overrides {string.Join(" ", o.Overrides)}" : "") + (o.Quick ? " (--quick)" : "") +
               $"; world {worldDir}. {runs.Count(r => !r.Reused)} runs trained now, {runs.Count(r => r.Reused)} reused from earlier; " +
               $"{seconds:0} s of training in all. Every cell is the mean ± sample standard deviation over the seeds " +
               "(0 with one seed); recalls in percent, mean recall (R@1/5/10 both ways) and gains in points.";
    }

    /// <summary>A chart's path relative to the report folder, or nothing when the chart was not drawn.</summary>
    public static IEnumerable<string> Relative(string dir, string path, bool drawn) => drawn ? [Path.GetRelativePath(dir, path)] : [];

    private static MeanSd Scaled(MeanSd m, double scale) => m with { Mean = m.Mean * scale, Sd = m.Sd * scale };
}
