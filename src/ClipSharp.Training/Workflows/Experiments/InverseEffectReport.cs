using ClipSharp.Reporting;

namespace ClipSharp.Workflows.Experiments;

/// <summary>
/// OUT/report.html of the token-reduction ablation: per retrieval eval the paper's plot (improvement of mean recall
/// over the full caption vs the token budget K, one line per strategy, ± sd over seeds as error bars, the full
/// caption at 0 on the right) and the table of every metric as mean ± sd; then the bags and the per-seed numbers.
/// </summary>
public static class InverseEffectReport
{
    /// <summary>The x position of the full caption: the model's text context (128 tokens).</summary>
    public const int FullContext = 128;

    /// <summary>Writes the report (and its PNGs under OUT/plots); returns its path.</summary>
    public static string Write(InverseEffectResult r, InverseEffectOptions o)
    {
        var path = Path.Combine(r.OutputDir, "report.html");
        var report = new HtmlReport("ClipSharp: the inverse effect of synthetic captions (token reduction vs the full caption)");
        report.Paragraph("CLIP on the built-in world's synthetic captions only: each strategy keeps K tokens of the caption " +
                         $"(truncation, random mask, block mask, one sentence), against the full caption (model {InverseEffectExperiment.Model}, " +
                         $"{FullContext}-token text context), all with the same steps, batch and seeds (spec §2.3).");
        report.Paragraph(ExperimentReport.Note(o, r.Rows.Select(x => x.Result).ToList(), r.WorldDir));
        foreach (var eval in r.RetrievalEvals)
        {
            report.Heading($"Zero-shot retrieval on {eval}");
            var plot = Path.Combine(r.OutputDir, "plots", $"gain-vs-k-{eval}.png");
            report.Images(ExperimentReport.Relative(r.OutputDir, plot, GainPlot(plot, r, eval)));
            var columns = ExperimentReport.RetrievalColumns(eval);
            report.Table(["configuration", "K", "gain over full (points)", .. columns.Select(c => c.Header)],
                r.Rows.Select(row => (IReadOnlyList<string>)
                [
                    row.Result.Config.Label, row.Budget?.ToString() ?? $"{FullContext} (all)", row.GainOverFull(eval).Format(signed: true),
                    .. ExperimentReport.SummaryRows([row.Result], columns)[0].Skip(1),
                ]));
        }
        report.Heading("Fine-grained bags (accuracy, %)");
        var bags = ExperimentReport.Present(r.Rows.Select(x => x.Result), ExperimentReport.BagColumns);
        report.Table(["configuration", .. bags.Select(c => c.Header)], ExperimentReport.SummaryRows(r.Rows.Select(x => x.Result), bags));
        foreach (var (key, title) in new[] { (ExperimentWorld.MeanRecallKey, "Mean recall"), (InverseEffectExperiment.GainKey, "Gain over the full caption") })
        {
            report.Heading($"{title} per seed (points, {ExperimentWorld.RetrievalEval})");
            report.Table(ExperimentReport.SeedHeaders(o.Seeds),
                ExperimentReport.PerSeedRows(r.Rows.Select(x => x.Result), new MetricColumn(ExperimentWorld.RetrievalEval, key, title, 1), o.Seeds));
        }
        report.Save(path);
        return path;
    }

    /// <summary>
    /// The paper's plot: x = log2 K with ticks at each budget and at the full caption, y = gain over the full caption
    /// (mean over seeds, ± sd as error bars); every line ends at the full caption's (K = context, 0).
    /// </summary>
    public static bool GainPlot(string path, InverseEffectResult r, string eval)
    {
        var series = new List<ChartSeries>();
        var strategies = r.Rows.Where(x => x.Budget is not null).Select(x => x.Strategy).Distinct().ToList();
        foreach (var (strategy, i) in strategies.Select((s, i) => (s, i)))
        {
            double dodge = 0.03 * (i - (strategies.Count - 1) / 2.0);         // error bars of one K side by side, not on top of each other
            var points = r.Rows.Where(x => x.Strategy == strategy).OrderBy(x => x.Budget)
                .Select(x => (X: Math.Log2(x.Budget!.Value) + dodge, Stat: x.GainOverFull(eval))).Where(p => p.Stat.N > 0).ToList();
            points.Add((Math.Log2(FullContext) + dodge, new MeanSd(0, 0, 1)));
            series.Add(new ChartSeries(strategy, points.Select(p => p.X).ToList(), points.Select(p => p.Stat.Mean).ToList(), points.Select(p => p.Stat.Sd).ToList()));
        }
        var ticks = r.Rows.Where(x => x.Budget is not null).Select(x => x.Budget!.Value).Distinct().Order()
            .Select(k => (Math.Log2(k), k.ToString(System.Globalization.CultureInfo.InvariantCulture))).Append((Math.Log2(FullContext), $"{FullContext} (full)")).ToList();
        return LineChart.Save(path, $"Improvement over the full caption ({eval}; mean ± sd over {r.Rows[0].Result.Runs.Count} seeds)",
            "token budget K", "Δ mean recall (points)", series, width: 720, height: 420, xTicks: ticks);
    }
}
