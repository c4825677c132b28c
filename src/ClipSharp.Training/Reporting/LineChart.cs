namespace ClipSharp.Reporting;

/// <summary>One line of a chart: (x, y) points, a legend label and optionally a ± error per point (drawn as error bars).</summary>
public sealed record ChartSeries(string Label, IReadOnlyList<double> X, IReadOnlyList<double> Y, IReadOnlyList<double>? Errors = null);

/// <summary>Line charts written as PNG with ScottPlot (real plots, readable without JavaScript).</summary>
public static class LineChart
{
    // ScottPlot draws text through Skia's font manager, which finds nothing on a bare Linux box (no fontconfig
    // match): lines render but titles and tick labels vanish. Register a TrueType family explicitly, once:
    // $CLIPSHARP_FONT (regular) or DejaVu Sans (Debian's fonts-dejavu-core), else any .ttf under /usr/share/fonts.
    private static readonly Lazy<bool> FontsReady = new(RegisterFont);

    private static bool RegisterFont()
    {
        string? regular = Environment.GetEnvironmentVariable("CLIPSHARP_FONT") is { Length: > 0 } env && File.Exists(env) ? env : null;
        string dejavu = "/usr/share/fonts/truetype/dejavu";
        regular ??= File.Exists(Path.Combine(dejavu, "DejaVuSans.ttf")) ? Path.Combine(dejavu, "DejaVuSans.ttf") : null;
        regular ??= Directory.Exists("/usr/share/fonts")
            ? Directory.EnumerateFiles("/usr/share/fonts", "*.ttf", SearchOption.AllDirectories).Order(StringComparer.Ordinal).FirstOrDefault()
            : null;
        if (regular is null) return false;
        var bold = Path.Combine(Path.GetDirectoryName(regular)!, Path.GetFileNameWithoutExtension(regular) + "-Bold.ttf");
        const string family = "ClipSharp Sans";
        ScottPlot.Fonts.AddFontFile(family, regular, false, false);
        ScottPlot.Fonts.AddFontFile(family, File.Exists(bold) ? bold : regular, true, false);
        ScottPlot.Fonts.Default = ScottPlot.Fonts.Sans = family;
        return true;
    }

    /// <summary>Whether a font was found for titles and labels (charts still render without one, text-less).</summary>
    public static bool HasFont => FontsReady.Value;

    /// <summary>Writes a PNG of <paramref name="series"/>; returns false (and writes nothing) when there is no point to draw.
    /// <paramref name="xTicks"/> replaces the x axis' automatic ticks (position, label).</summary>
    public static bool Save(string path, string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series,
        int width = 640, int height = 360, bool logY = false, IReadOnlyList<(double X, string Label)>? xTicks = null)
    {
        var drawable = series.Where(s => s.X.Count > 0 && s.X.Count == s.Y.Count).ToList();
        if (drawable.Count == 0) return false;
        _ = FontsReady.Value;
        var plot = new ScottPlot.Plot();
        foreach (var s in drawable)
        {
            var ys = logY ? s.Y.Select(v => Math.Log10(Math.Max(v, 1e-12))).ToArray() : s.Y.ToArray();
            var line = plot.Add.Scatter(s.X.ToArray(), ys);
            line.LegendText = s.Label;
            line.MarkerSize = s.X.Count == 1 || s.Errors is not null ? 6 : 0;
            line.LineWidth = 2;
            if (s.Errors is { } err && err.Count == s.X.Count && !logY)
            {
                var bars = plot.Add.ErrorBar(s.X.ToArray(), ys, err.ToArray());
                bars.Color = line.Color;
            }
        }
        if (xTicks is { Count: > 0 })
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xTicks.Select(t => new ScottPlot.Tick(t.X, t.Label)).ToArray());
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(logY ? $"log10 {yLabel}" : yLabel);
        if (drawable.Count > 1) plot.ShowLegend();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, width, height);
        return true;
    }
}
