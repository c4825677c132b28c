using ClipSharp.Training;
using ClipSharp.Workflows.Reports;
using ClipSharp.Data;
using ClipSharp.Data.Images;
using ClipSharp.Evaluation;
using ClipSharp.Inference;
using ClipSharp.Training.Recipes;
using ClipSharp.Training.Runs;

namespace ClipSharp.Workflows.Quickstart;

/// <summary>OUT/report.html of the quickstart: both runs' curves, the comparison table, examples.</summary>
public static class QuickstartReport
{
    /// <summary>The table's columns: (eval, metric key, header).</summary>
    public static readonly (string Eval, string Key, string Header)[] Columns =
    [
        (QuickstartRunner.RetrievalEval, "image_retrieval_recall@1", "T→I R@1"), (QuickstartRunner.RetrievalEval, "image_retrieval_recall@5", "T→I R@5"),
        (QuickstartRunner.RetrievalEval, "image_retrieval_recall@10", "T→I R@10"), (QuickstartRunner.RetrievalEval, "text_retrieval_recall@1", "I→T R@1"),
        (QuickstartRunner.RetrievalEval, "text_retrieval_recall@5", "I→T R@5"), (QuickstartRunner.RetrievalEval, "text_retrieval_recall@10", "I→T R@10"),
        (QuickstartRunner.BagEval, "text_to_image_acc", "bag T→I"), (QuickstartRunner.BagEval, "image_to_text_acc", "bag I→T"),
        (QuickstartRunner.BagEval, "caption_self_retrieval_acc", "bag caption→I"),
    ];

    /// <summary>The table rows in percent: one per model, then chance.</summary>
    public static List<IReadOnlyList<string>> Rows(QuickstartResult r)
    {
        var rows = r.Models.Select(m => (IReadOnlyList<string>)[m.Label, .. Columns.Select(c => RunReportWriter.Percent(m.Metric(c.Eval, c.Key)))]).ToList();
        rows.Add(["chance", .. Columns.Select(c => RunReportWriter.Percent(
            r.Chance.TryGetValue(c.Eval == QuickstartRunner.BagEval ? "bag_" + c.Key : c.Key, out var v) ? v : double.NaN))]);
        return rows;
    }

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
            var note = $"Built-in world, {string.Join(", ", r.Models.Select(m => $"{m.Label}: {m.TrainSeconds:0} s training"))}; total wall time {r.TotalSeconds:0} s.";
            return RunReportWriter.Write(Path.Combine(r.OutputDir, "report.html"), "ClipSharp quickstart: CLIPS vs CLIP on web captions",
                models, ["model", .. Columns.Select(c => c.Header)], Rows(r), retrieval, source, note);
        }
        finally
        {
            foreach (var m in models) m.Model.Dispose();
        }
    }
}
