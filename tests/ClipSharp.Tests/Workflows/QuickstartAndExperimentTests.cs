using ClipSharp.Modeling;
using System.Text.Json.Nodes;
using ClipSharp.Tests.Support;
using ClipSharp.Tests.Training;
using ClipSharp.Workflows.Quickstart;

namespace ClipSharp.Tests.Workflows;

/// <summary>
/// End to end on the tiny world (linked in as OUT/world, which the quickstart reuses): it trains CLIPS and the
/// baseline and writes results.json with chance levels and report.html with plots and thumbnails. A few steps: this
/// checks the plumbing, not the numbers. The experiments are ExperimentCommandTests.
/// </summary>
[Collection("TrainerProcesses")]
public class QuickstartAndExperimentTests
{
    private static string OutWithWorld(string prefix)
    {
        var dir = TestPaths.NewTempDir(prefix);
        Directory.CreateSymbolicLink(Path.Combine(dir, "world"), TrainingWorld.World);
        return dir;
    }

    [Fact]
    public void QuickstartTrainsBothModelsAndWritesResultsAndReport()
    {
        var dir = OutWithWorld("quickstart");
        var r = QuickstartRunner.Run(new QuickstartOptions
        {
            OutputDir = dir, Overrides = ["schedule.total_steps=3", "schedule.warmup_steps=1", "batch_size=16", "evals.0.batch_size=16", "log_every_steps=1"],
        });
        Assert.Equal(["CLIPS", "CLIP-web"], r.Models.Select(m => m.Label));
        foreach (var m in r.Models)
        {
            Assert.InRange(m.Metric(QuickstartRunner.RetrievalEval, "image_retrieval_recall@10"), 0, 1);
            Assert.InRange(m.Metric(QuickstartRunner.BagEval, "text_to_image_acc"), 0, 1);
        }
        Assert.True(double.IsFinite(r.Models[0].Metric(QuickstartRunner.BagEval, "caption_self_retrieval_acc")), "CLIPS has a captioner");
        Assert.Equal(10.0 / 20, r.Chance["world-eval/image_retrieval_recall@10"], 9);  // 20 eval images
        foreach (var eval in new[] { QuickstartRunner.RetrievalEval, QuickstartRunner.HeldOutEval })
        {
            Assert.InRange(r.Models[0].Metric(eval, "text_retrieval_recall@1"), 0, 1);
            // The oracle knows every scene: never below chance, at most 1, and R@10 at least R@1.
            var (oracle1, oracle10) = (r.Oracle[$"{eval}/image_retrieval_recall@1"], r.Oracle[$"{eval}/image_retrieval_recall@10"]);
            Assert.InRange(oracle1, r.Chance[$"{eval}/image_retrieval_recall@1"], 1);
            Assert.InRange(oracle10, oracle1, 1);
        }
        Assert.Equal(1.0, r.Oracle["world-bags/shape/text_to_image_acc"]);
        Assert.All(QuickstartReport.ReportTables(r), t => Assert.Equal(["CLIPS", "CLIP-web", "chance", "oracle"], t.Rows.Select(x => x[0])));
        var results = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "results.json")))!;
        Assert.Equal(2, results["models"]!.AsArray().Count);
        Assert.Equal(1.0, results["oracle"]!["world-bags/text_to_image_acc"]!.GetValue<double>());

        var report = QuickstartReport.Write(r);
        var html = File.ReadAllText(report);
        Assert.Contains("<table>", html);
        Assert.Contains("data:image/jpeg;base64,", html);               // retrieval thumbnails / generated-caption images
        Assert.Contains("plots/loss.png", html);
        Assert.True(new FileInfo(Path.Combine(dir, "plots", "loss.png")).Length > 1000, "a real PNG chart");
        Assert.Contains("plots/final.png", html);                         // the final tables as grouped bars
        Assert.Contains("plots/final-3.png", html);
        Assert.DoesNotContain("plots/eval_", html);                        // evaluated once (at the end): no one-point curves
        Assert.Contains("synthetic recaption", html);
    }

    [Fact]
    public void TheResNetTowerSwapsOnlyTheImageTowerOfBothRecipes()
    {
        foreach (var (recipe, model) in QuickstartRunner.ResNetModels)
        {
            var vit = ModelFactory.LoadConfig(ClipSharp.Training.Recipes.RecipeReader.Read(recipe, []).Model).Model;
            var rn = ModelFactory.LoadConfig(model).Model;
            Assert.True(rn.Vision.IsResNet && !vit.Vision.IsResNet, recipe);
            // same text tower, captioner, embedding width and kind
            Assert.Equal((vit.Text, vit.Decoder, vit.EmbedDim, vit.Kind, vit.QuickGelu), (rn.Text, rn.Decoder, rn.EmbedDim, rn.Kind, rn.QuickGelu));
        }
        var dir = OutWithWorld("quickstart-rn");
        var r = QuickstartRunner.Run(new QuickstartOptions
        {
            OutputDir = dir, Baseline = false, Tower = QuickstartTower.ResNet,
            Overrides = ["schedule.total_steps=2", "schedule.warmup_steps=1", "batch_size=16", "evals.0.batch_size=16"],
        });
        Assert.True(ModelFactory.LoadConfig(r.Models.Single().RunDirectory).Model.Vision.IsResNet);
        Assert.InRange(r.Models[0].Metric(QuickstartRunner.RetrievalEval, "image_retrieval_recall@10"), 0, 1);
    }

    [Fact]
    public void LongOverridesAreValidForBothRecipes()
    {
        foreach (var name in new[] { "quickstart", "quickstart-baseline" })
        {
            var r = ClipSharp.Training.Recipes.RecipeReader.Read(name, QuickstartRunner.LongOverrides);
            Assert.Equal(15000, r.Schedule.TotalSteps);
            Assert.Equal(128, r.BatchSize);
            Assert.Equal(QuickstartRunner.LongWorldTrain * 3L, r.Schedule.TotalSteps * r.BatchSize * 2L);   // 1.5 epochs
            Assert.True(r.Schedule.TotalSteps > ClipSharp.Training.Recipes.RecipeReader.Read(name, []).Schedule.TotalSteps);
            Assert.All(r.Evals, e => Assert.Equal(2500, e.EverySteps));
        }
    }

    [Fact]
    public void TheLongPlanTrainsTheResNetUnlessATowerIsNamedAndKeepsTheUsersOverridesLast()
    {
        var plain = QuickstartPlan.For(new QuickstartOptions());
        Assert.Equal((QuickstartTower.Vit, "world", QuickstartPlan.DefaultWorldTrain), (plain.Tower, plain.WorldFolder, plain.WorldTrain));
        Assert.Empty(plain.Overrides);

        var longer = QuickstartPlan.For(new QuickstartOptions { Long = true, Overrides = ["schedule.total_steps=5"] });
        Assert.Equal(QuickstartTower.ResNet, longer.Tower);
        Assert.Equal(QuickstartRunner.LongWorldTrain, longer.WorldTrain);
        Assert.Equal(QuickstartRunner.LongWorldTrain == QuickstartPlan.DefaultWorldTrain ? "world" : "world-long", longer.WorldFolder);
        Assert.Equal("schedule.total_steps=5", longer.Overrides[^1]);
        Assert.Equal(5, ClipSharp.Training.Recipes.RecipeReader.Read("quickstart", longer.Overrides).Schedule.TotalSteps);

        Assert.Equal(QuickstartTower.Vit, QuickstartPlan.For(new QuickstartOptions { Long = true, Tower = QuickstartTower.Vit }).Tower);
    }
}
