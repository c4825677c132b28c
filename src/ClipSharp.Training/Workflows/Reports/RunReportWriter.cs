using ClipSharp.Training;
using ClipSharp.Encoders;
using System.Globalization;
using System.Text.Json;
using ClipSharp.Data;
using ClipSharp.Data.Images;
using ClipSharp.Data.Sources;
using ClipSharp.Evaluation;
using ClipSharp.Inference;
using ClipSharp.Modeling;
using ClipSharp.Reporting;
using ClipSharp.Text;
using ClipSharp.Training.Metrics;
using static TorchSharp.torch;

namespace ClipSharp.Workflows.Reports;

/// <summary>A trained model as the report needs it: weights in memory plus what it was evaluated and trained on.</summary>
public sealed record ReportModel(string Label, string RunDirectory, ContrastiveModel Model, ITextTokenizer Tokenizer, EvalTransform Transform);

/// <summary>A final-results table of a report: a title, headers (the first names the row) and rows of percent strings.</summary>
public sealed record ReportTable(string Title, IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows);

/// <summary>
/// Writes <c>report.html</c>: loss / lr / eval curves as ScottPlot PNGs (from metrics.jsonl), the final eval table,
/// retrieval examples (a caption → the model's top images as thumbnails, the true image framed) and generated captions
/// next to the image and its synthetic recaption (CLIPS models).
/// </summary>
public static class RunReportWriter
{
    /// <summary>Writes the report for one or more runs into <paramref name="reportPath"/>'s folder; returns the path.</summary>
    public static string Write(string reportPath, string title, IReadOnlyList<ReportModel> models, IReadOnlyList<ReportTable> tables,
        RetrievalDataset? retrieval, DataSourceSpec? trainSource, string? note = null)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(reportPath))!;
        var plots = Path.Combine(dir, "plots");
        var report = new HtmlReport(title);
        if (note is not null) report.Paragraph(note);
        report.Heading("Final evaluation");
        for (var i = 0; i < tables.Count; i++)
        {
            report.Paragraph(tables[i].Title).Table(tables[i].Headers, tables[i].Rows);
            report.Images(FinalBars(plots, dir, tables[i], i == 0 ? "final.png" : $"final-{i + 1}.png"));
        }
        report.Heading("Training curves").Images(Curves(plots, dir, models));
        if (retrieval is not null)
        {
            report.Heading("Retrieval examples (caption → top 5 images; the true image is framed green)");
            foreach (var m in models) RetrievalExamples(report, m, retrieval, 4);
        }
        if (trainSource is not null && models.Any(m => m.Model is ClipsModel))
        {
            report.Heading("Generated captions (CLIPS captioner, greedy) next to the image and its synthetic recaption");
            foreach (var m in models.Where(m => m.Model is ClipsModel)) GeneratedCaptions(report, m, trainSource, 4);
        }
        report.Save(reportPath);
        return reportPath;
    }

    /// <summary>The final table as a grouped bar chart (one group per metric column, one bar per row: models, chance);
    /// cells that are not numbers ("-") get no bar. Values are the table's own (percent).</summary>
    internal static List<string> FinalBars(string plots, string dir, ReportTable table, string file)
    {
        static double Parse(string v) => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : double.NaN;
        var series = table.Rows.Select(r => new BarSeries(r[0], r.Skip(1).Select(Parse).ToList())).ToList();
        var path = Path.Combine(plots, file);
        return BarChart.Save(path, table.Title + " (%)", "%", table.Headers.Skip(1).ToList(), series) ? [Path.GetRelativePath(dir, path)] : [];
    }

    private static List<string> Curves(string plots, string dir, IReadOnlyList<ReportModel> models)
    {
        var records = models.Select(m => (m.Label, Rows: File.Exists(Path.Combine(m.RunDirectory, MetricsLog.FileName))
            ? MetricsLog.Read(Path.Combine(m.RunDirectory, MetricsLog.FileName)) : [])).ToList();
        ChartSeries Series(string label, IReadOnlyList<JsonElement> rows, string kind, string key)
        {
            var pts = rows.Where(r => r.GetProperty("kind").GetString() == kind && r.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number)
                .Select(r => (X: (double)r.GetProperty("step").GetInt64(), Y: r.GetProperty(key).GetDouble())).ToList();
            return new ChartSeries(label, pts.Select(p => p.X).ToList(), pts.Select(p => p.Y).ToList());
        }
        var files = new List<string>();
        void Chart(string name, string title, string y, IReadOnlyList<ChartSeries> s, bool logY = false)
        {
            if (s.All(c => c.X.Count < 2)) return;        // a single evaluation is in the final table, not a one-point "curve"
            var path = Path.Combine(plots, name + ".png");
            if (LineChart.Save(path, title, "step", y, s, logY: logY)) files.Add(Path.GetRelativePath(dir, path));
        }
        Chart("loss", "Training loss", "loss", records.Select(r => Series(r.Label, r.Rows, "train", "loss")).ToList());
        foreach (var part in records.SelectMany(r => r.Rows).Where(r => r.GetProperty("kind").GetString() == "train")
                     .SelectMany(r => r.EnumerateObject().Select(p => p.Name)).Where(n => n.StartsWith("loss/", StringComparison.Ordinal)).Distinct())
            Chart(part.Replace('/', '_'), $"Loss part {part[5..]}", part[5..], records.Select(r => Series(r.Label, r.Rows, "train", part)).ToList());
        Chart("lr", "Learning rate", "lr", records.Select(r => Series(r.Label, r.Rows, "train", "lr")).ToList());
        Chart("throughput", "Throughput", "samples/s", records.Select(r => Series(r.Label, r.Rows, "train", "samples_per_s")).ToList());
        foreach (var key in records.SelectMany(r => r.Rows).Where(r => r.GetProperty("kind").GetString() == "eval")
                     .SelectMany(r => r.EnumerateObject().Select(p => p.Name))
                     .Where(n => n.EndsWith("recall@1", StringComparison.Ordinal) || n.EndsWith("/text_to_image_acc", StringComparison.Ordinal)).Distinct())
            Chart("eval_" + key.Replace('/', '_').Replace('@', '_'), key, key, records.Select(r => Series(r.Label, r.Rows, "eval", key)).ToList());
        return files;
    }

    private static void RetrievalExamples(HtmlReport report, ReportModel m, RetrievalDataset data, int queries)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var images = BatchEncoder.EncodeImageFiles(m.Model, m.Transform, data.ImagePaths, 64);
        var picks = Enumerable.Range(0, queries).Select(i => i * Math.Max(1, data.Captions.Count / queries)).Where(i => i < data.Captions.Count).ToList();
        var texts = BatchEncoder.EncodeTexts(m.Model, m.Tokenizer, picks.Select(i => data.Captions[i]).ToList(), 64);
        var top = texts.matmul(images.t()).topk(Math.Min(5, data.ImagePaths.Count), 1).indexes;
        for (int q = 0; q < picks.Count; q++)
        {
            var hits = top[q].data<long>().ToArray();
            report.Thumbnails($"{m.Label}: \"{data.Captions[picks[q]]}\"", hits.Select((h, rank) =>
                new Thumbnail(File.ReadAllBytes(data.ImagePaths[(int)h]), Mime(data.ImagePaths[(int)h]), $"#{rank + 1}", h == data.CaptionImage[picks[q]])));
        }
    }

    private static void GeneratedCaptions(HtmlReport report, ReportModel m, DataSourceSpec source, int count)
    {
        var ds = DataSources.Open(source);
        if (ds.Shards.Count == 0) return;
        var samples = ds.Read(0).Where(r => r.Error is null).Take(count * 3).Select(r => { try { return r.Load(); } catch (BadSampleException) { return null; } })
            .Where(s => s is { SyntheticCaption: not null }).Take(count).ToList();
        if (samples.Count == 0) return;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        m.Model.eval();
        var pixels = stack(samples.Select(s => m.Transform.Apply(m.Transform.Decoder.Decode(s!.ImageBytes, s.Key, (m.Transform.Config.Height, m.Transform.Config.Width)))).ToList());
        var captions = CaptionGenerator.Generate((ClipsModel)m.Model, pixels.to(BatchEncoder.DeviceOf(m.Model)), null, m.Tokenizer);
        var rows = samples.Select((s, i) => (IReadOnlyList<string>)[s!.Key, captions[i], s.SyntheticCaption!, s.WebCaption ?? ""]).ToList();
        foreach (var (s, i) in samples.Select((s, i) => (s!, i)))
            report.Thumbnails($"{m.Label}: {s.Key}", [new Thumbnail(s.ImageBytes, Mime("x." + s.ImageExt), "image")]);
        report.Table(["sample", $"generated by {m.Label}", "synthetic recaption (training target)", "web caption"], rows);
    }

    private static string Mime(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".png" => "image/png", ".webp" => "image/webp", _ => "image/jpeg",
    };

    /// <summary>A metric formatted as a percentage (or "-").</summary>
    public static string Percent(double v) => double.IsFinite(v) ? (100 * v).ToString("0.0", CultureInfo.InvariantCulture) : "-";
}
