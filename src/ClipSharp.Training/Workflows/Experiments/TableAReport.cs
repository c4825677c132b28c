using ClipSharp.Reporting;

namespace ClipSharp.Workflows.Experiments;

/// <summary>
/// OUT/report.html of the Table A comparison: per retrieval eval a grouped bar chart (one group per metric, one bar
/// per method, ± sd over seeds as error bars) and the table of mean ± sd; the bag accuracies; mean recall per seed.
/// </summary>
public static class TableAReport
{
    /// <summary>Writes the report (and its PNGs under OUT/plots); returns its path.</summary>
    public static string Write(TableAResult r, TableAOptions o)
    {
        var path = Path.Combine(r.OutputDir, "report.html");
        var report = new HtmlReport("ClipSharp: Table A on the built-in world (CLIPS vs CLIP, CLIPA- and CoCa-style baselines)");
        report.Paragraph("CLIPS (recipe quickstart) against CLIP on web captions, CLIP on the full synthetic caption, and CLIP " +
                         "(CLIPA-style) and CoCa trained on the paper's 80/20 web/synthetic caption mixture; same image encoder, steps, " +
                         "batch and seeds for all (spec §6.3, Table A).");
        report.Paragraph(ExperimentReport.Note(o, r.Methods, r.WorldDir));
        foreach (var eval in r.RetrievalEvals)
        {
            report.Heading($"Zero-shot retrieval on {eval} (%)");
            var columns = ExperimentReport.RetrievalColumns(eval, withMeanRecall: false);
            var plot = Path.Combine(r.OutputDir, "plots", $"retrieval-{eval}.png");
            report.Images(ExperimentReport.Relative(r.OutputDir, plot, Bars(plot, $"Zero-shot retrieval on {eval} (%, mean ± sd)", r.Methods, columns)));
            report.Table(["method", .. columns.Select(c => c.Header), "mean recall (points)"],
                ExperimentReport.SummaryRows(r.Methods, [.. columns, new(eval, ExperimentWorld.MeanRecallKey, "mean recall", 1)]));
        }
        report.Heading("Fine-grained bags (accuracy, %)");
        var bagPlot = Path.Combine(r.OutputDir, "plots", "bags.png");
        var bags = ExperimentReport.Present(r.Methods, ExperimentReport.BagColumns);
        report.Images(ExperimentReport.Relative(r.OutputDir, bagPlot, Bars(bagPlot, "Fine-grained bags (%, mean ± sd)", r.Methods, bags)));
        report.Table(["method", .. bags.Select(c => c.Header)], ExperimentReport.SummaryRows(r.Methods, bags));
        report.Heading($"Mean recall per seed (points, {ExperimentWorld.RetrievalEval})");
        report.Table(ExperimentReport.SeedHeaders(o.Seeds),
            ExperimentReport.PerSeedRows(r.Methods, new MetricColumn(ExperimentWorld.RetrievalEval, ExperimentWorld.MeanRecallKey, "mean recall", 1), o.Seeds));
        report.Save(path);
        return path;
    }

    /// <summary>A grouped bar chart: one group per column, one bar per method (mean over seeds, ± sd).</summary>
    public static bool Bars(string path, string title, IReadOnlyList<ConfigResult> methods, IReadOnlyList<MetricColumn> columns)
    {
        var series = methods.Select(m =>
        {
            var stats = columns.Select(c => m.Stat(c.Eval, c.Key)).ToList();
            return new BarSeries(m.Config.Label, stats.Select((s, i) => s.Mean * columns[i].Scale).ToList(), stats.Select((s, i) => s.Sd * columns[i].Scale).ToList());
        }).ToList();
        return BarChart.Save(path, title, "%", columns.Select(c => c.Header).ToList(), series, width: 960, height: 440);
    }
}
