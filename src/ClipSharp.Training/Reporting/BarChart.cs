namespace ClipSharp.Reporting;

/// <summary>One bar colour of a grouped bar chart: a label, one value per group (NaN = no bar) and optionally a ± error
/// per group (drawn as an error bar on the bar; NaN = none).</summary>
public sealed record BarSeries(string Label, IReadOnlyList<double> Values, IReadOnlyList<double>? Errors = null);

/// <summary>Grouped bar charts written as PNG with ScottPlot: one group per metric, one bar per model (or chance).</summary>
public static class BarChart
{
    /// <summary>Writes a PNG; returns false (and writes nothing) when no series has a finite value.</summary>
    public static bool Save(string path, string title, string yLabel, IReadOnlyList<string> groups, IReadOnlyList<BarSeries> series,
        int width = 900, int height = 400)
    {
        if (groups.Count == 0 || !series.Any(s => s.Values.Any(double.IsFinite))) return false;
        _ = LineChart.HasFont;
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        double slot = 1.0 / (series.Count + 1);                          // bar width; one empty slot between groups
        var ticks = new List<ScottPlot.Tick>();
        for (int g = 0; g < groups.Count; g++)
        {
            double start = g - (series.Count - 1) * slot / 2;
            for (int s = 0; s < series.Count; s++)
            {
                double v = g < series[s].Values.Count ? series[s].Values[g] : double.NaN;
                if (!double.IsFinite(v)) continue;
                var bar = plot.Add.Bar(position: start + s * slot, value: v);
                bar.Color = palette.GetColor(s);
                double err = series[s].Errors is { } e && g < e.Count && double.IsFinite(e[g]) ? e[g] : 0;
                foreach (var b in bar.Bars) { b.Size = slot * 0.9; b.Error = err; }
            }
            ticks.Add(new ScottPlot.Tick(g, groups[g]));
        }
        for (int s = 0; s < series.Count; s++)                             // legend entries, one per series
            plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = series[s].Label, FillColor = palette.GetColor(s) });
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.ToArray());
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel(yLabel);
        plot.ShowLegend();
        plot.Legend.Alignment = ScottPlot.Alignment.UpperLeft;        // the small retrieval bars sit low on the left
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, width, height);
        return true;
    }
}
