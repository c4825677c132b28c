using ClipSharp.Training;
using ClipSharp.Workflows.Reports;
using ClipSharp.Data;
using ClipSharp.Data.Images;
using ClipSharp.Evaluation;
using ClipSharp.Inference;
using ClipSharp.Training.Recipes;
using ClipSharp.Training.Runs;

namespace ClipSharp.Workflows.Quickstart;

/// <summary>One table of the quickstart: a title and its columns (eval name, metric key, header).</summary>
public sealed record QuickstartTable(string Title, IReadOnlyList<(string Eval, string Key, string Header)> Columns);

/// <summary>OUT/report.html of the quickstart: the comparison tables with chance and the oracle, curves, examples.</summary>
public static class QuickstartReport
{
    private static (string, string, string)[] RetrievalColumns(string eval) =>
    [
        (eval, "image_retrieval_recall@1", "T→I R@1"), (eval, "image_retrieval_recall@5", "T→I R@5"), (eval, "image_retrieval_recall@10", "T→I R@10"),
        (eval, "text_retrieval_recall@1", "I→T R@1"), (eval, "text_retrieval_recall@5", "I→T R@5"), (eval, "text_retrieval_recall@10", "I→T R@10"),
    ];

    private static readonly string[] Attributes = ["colour", "shape", "size", "pattern", "position", "count"];

    /// <summary>The tables: retrieval on the human-style captions, on the held-out style, and the bags per attribute.</summary>
    public static readonly QuickstartTable[] Tables =
    [
        new("Eval set, human-style captions (1k images × 5)", RetrievalColumns(QuickstartRunner.RetrievalEval)),
        new("Eval set, held-out caption style (phrasings no training caption uses)", RetrievalColumns(QuickstartRunner.HeldOutEval)),
        new("Fine-grained bags: pick the right image for a caption (T→I) per attribute, then all bags both ways",
        [
            .. Attributes.Select(a => (QuickstartRunner.BagEval, $"{a}/text_to_image_acc", a)),
            (QuickstartRunner.BagEval, "text_to_image_acc", "all T→I"), (QuickstartRunner.BagEval, "image_to_text_acc", "all I→T"),
        ]),
        new("Captioner (TrueMatch): the model's own greedy caption picks its image out of the bag, per attribute",
        [
            .. Attributes.Select(a => (QuickstartRunner.BagEval, $"{a}/caption_self_retrieval_acc", a)),
            (QuickstartRunner.BagEval, "caption_self_retrieval_acc", "all"),
        ]),
    ];

    /// <summary>A table's rows in percent: one per model, then chance and the oracle (a retriever that knows every
    /// scene; for caption→I, a caption naming every attribute).</summary>
    public static List<IReadOnlyList<string>> Rows(QuickstartResult r, QuickstartTable t)
    {
        var rows = r.Models.Select(m => (IReadOnlyList<string>)[m.Label, .. t.Columns.Select(c => RunReportWriter.Percent(m.Metric(c.Eval, c.Key)))]).ToList();
        rows.Add(["chance", .. t.Columns.Select(c => RunReportWriter.Percent(QuickstartRunner.Lookup(r.Chance, c.Eval, c.Key)))]);
        if (t.Columns.Any(c => double.IsFinite(QuickstartRunner.Lookup(r.Oracle, c.Eval, c.Key))))
            rows.Add(["oracle", .. t.Columns.Select(c => RunReportWriter.Percent(QuickstartRunner.Lookup(r.Oracle, c.Eval, c.Key)))]);
        return rows;
    }

    /// <summary>The tables with their headers and rows, for the console and the report.</summary>
    public static IReadOnlyList<ReportTable> ReportTables(QuickstartResult r) =>
        Tables.Where(t => t.Columns.Any(c => r.Models.Any(m => double.IsFinite(m.Metric(c.Eval, c.Key)))))
            .Select(t => new ReportTable(t.Title, ["model", .. t.Columns.Select(c => c.Header)], Rows(r, t))).ToList();

    /// <summary>Loads each trained model from its run folder and writes OUT/report.html; returns its path.</summary>
    public static string Write(QuickstartResult r)
    {
        var models = new List<ReportModel>();
        DataSourceSpec? source = null;
        RetrievalDataset? retrieval = null;
        try
        {
            foreach (var m in r.Models)
            {
                var recipe = RecipeReader.Read(Path.Combine(m.RunDirectory, "recipe.json"));
                var bundle = ModelLoader.FromDirectory(m.RunDirectory);
                bundle.Model.eval();
                models.Add(new ReportModel(m.Label, m.RunDirectory, bundle.Model, bundle.Tokenizer, new EvalTransform(bundle.Preprocess)));
                source ??= recipe.Data.Sources.FirstOrDefault();
                var eval = recipe.Evals.FirstOrDefault(e => e.Name == QuickstartRunner.RetrievalEval);
                if (retrieval is null && eval is not null)
                    retrieval = RetrievalDataset.FromKarpathyJson(eval.Path, eval.ImageRoot ?? Path.GetDirectoryName(eval.Path)!, eval.Split);
            }
            var note = $"Built-in world, {string.Join(", ", r.Models.Select(m => $"{m.Label}: {m.TrainSeconds:0} s training"))}; total wall time {r.TotalSeconds:0} s. " +
                       "Oracle: a retriever that knows every scene and ranks the images that fit what the caption states first, in random order (expected value).";
            return RunReportWriter.Write(Path.Combine(r.OutputDir, "report.html"), "ClipSharp quickstart: CLIPS vs CLIP on web captions",
                models, ReportTables(r), retrieval, source, note);
        }
        finally
        {
            foreach (var m in models) m.Model.Dispose();
        }
    }
}
