namespace ClipSharp.Reporting;

/// <summary>One line of a chart: (x, y) points and a legend label.</summary>
public sealed record ChartSeries(string Label, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>Line charts written as PNG with ScottPlot (real plots, readable without JavaScript).</summary>
public static class LineChart
{
    /// <summary>Writes a PNG of <paramref name="series"/>; returns false (and writes nothing) when there is no point to draw.</summary>
    public static bool Save(string path, string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series,
        int width = 640, int height = 360, bool logY = false)
    {
        var drawable = series.Where(s => s.X.Count > 0 && s.X.Count == s.Y.Count).ToList();
        if (drawable.Count == 0) return false;
        var plot = new ScottPlot.Plot();
        foreach (var s in drawable)
        {
            var ys = logY ? s.Y.Select(v => Math.Log10(Math.Max(v, 1e-12))).ToArray() : s.Y.ToArray();
            var line = plot.Add.Scatter(s.X.ToArray(), ys);
            line.LegendText = s.Label;
            line.MarkerSize = s.X.Count == 1 ? 6 : 0;
            line.LineWidth = 2;
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(logY ? $"log10 {yLabel}" : yLabel);
        if (drawable.Count > 1) plot.ShowLegend();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, width, height);
        return true;
    }
}
