using ClipSharp.Reporting;
using ClipSharp.Tests.Support;
using ClipSharp.Workflows.Reports;

namespace ClipSharp.Tests.Workflows;

/// <summary>The report's final-evaluation bar chart and its rule that a single evaluation is not drawn as a curve.</summary>
public class ReportChartTests
{
    private static readonly string[] Headers = ["model", "T→I R@1", "T→I R@10", "bag T→I", "bag caption→I"];

    [Fact]
    public void TheFinalTableBecomesAGroupedBarChartWithoutBarsForMissingCells()
    {
        var dir = TestPaths.NewTempDir("bars");
        IReadOnlyList<IReadOnlyList<string>> rows =
        [
            ["CLIPS", "1.2", "11.5", "26.2", "18.1"], ["CLIP-web", "0.6", "6.1", "24.2", "-"], ["chance", "0.1", "1.0", "18.2", "18.2"],
        ];
        var files = RunReportWriter.FinalBars(Path.Combine(dir, "plots"), dir, new ReportTable("t", Headers, rows), "final.png");
        var png = Path.Combine(dir, Assert.Single(files));
        var bytes = File.ReadAllBytes(png);
        Assert.True(bytes.Length > 5000, $"a real chart, not an empty canvas ({bytes.Length} bytes)");
        Assert.Equal(0x89, bytes[0]);                                                  // PNG signature
        Assert.Equal((byte)'P', bytes[1]);
    }

    [Fact]
    public void NothingToDrawWritesNoChart()
    {
        var dir = TestPaths.NewTempDir("bars-empty");
        IReadOnlyList<IReadOnlyList<string>> rows = [["CLIPS", "-", "-", "-", "-"]];
        Assert.Empty(RunReportWriter.FinalBars(Path.Combine(dir, "plots"), dir, new ReportTable("t", Headers, rows), "final.png"));
        Assert.False(BarChart.Save(Path.Combine(dir, "x.png"), "t", "%", [], []));
        Assert.False(File.Exists(Path.Combine(dir, "x.png")));
    }

    [Fact]
    public void SdErrorBarsAreDrawnOnBarsAndLines()
    {
        var dir = TestPaths.NewTempDir("error-bars");
        string P(string name) => Path.Combine(dir, name + ".png");
        Assert.True(BarChart.Save(P("bars"), "t", "%", ["R@1", "R@5"], [new BarSeries("a", [1.0, 2.0]), new BarSeries("b", [1.5, 2.5])]));
        Assert.True(BarChart.Save(P("bars-sd"), "t", "%", ["R@1", "R@5"], [new BarSeries("a", [1.0, 2.0], [0.5, 0.5]), new BarSeries("b", [1.5, 2.5], [0.2, double.NaN])]));
        Assert.NotEqual(File.ReadAllBytes(P("bars")), File.ReadAllBytes(P("bars-sd")));
        (double, string)[] ticks = [(4, "16"), (5, "32"), (7, "128 (full)")];
        Assert.True(LineChart.Save(P("line"), "t", "K", "gain", [new ChartSeries("block", [4.0, 5, 7], [1.0, 2, 0])], xTicks: ticks));
        Assert.True(LineChart.Save(P("line-sd"), "t", "K", "gain", [new ChartSeries("block", [4.0, 5, 7], [1.0, 2, 0], [0.5, 0.3, 0])], xTicks: ticks));
        Assert.NotEqual(File.ReadAllBytes(P("line")), File.ReadAllBytes(P("line-sd")));
    }
}

/// <summary>The report as a person sees it: rendered by a real headless Chromium.</summary>
public class ReportBrowserTests
{
    [ChromiumFact]
    public void TheReportRendersInHeadlessChromiumWithItsTablesAndCharts()
    {
        var dir = TestPaths.NewTempDir("report-browser");
        IReadOnlyList<IReadOnlyList<string>> rows =
        [
            ["CLIPS", "1.2", "11.5", "26.2"], ["CLIP-web", "0.6", "6.1", "24.2"], ["chance", "0.1", "1.0", "18.2"], ["oracle", "81.9", "99.9", "100.0"],
        ];
        var html = RunReportWriter.Write(Path.Combine(dir, "report.html"), "browser check", [],
            [new ReportTable("first table", ["model", "T→I R@1", "T→I R@10", "bag T→I"], rows), new ReportTable("second table", ["model", "a", "b", "c"], rows)],
            null, null, "a note");
        var png = Path.Combine(dir, "screenshot.png");
        HeadlessChromium.Screenshot(html, png, 1000, 1600);
        using var shot = NetVips.Image.NewFromFile(png);
        Assert.Equal((1000, 1600), (shot.Width, shot.Height));
        // Not a blank page: the charts put real colour variation on the canvas.
        Assert.True(shot.Deviate() > 10, $"the screenshot looks blank (pixel sd {shot.Deviate():0.0})");
        Assert.Contains("plots/final-2.png", File.ReadAllText(html));
    }
}
