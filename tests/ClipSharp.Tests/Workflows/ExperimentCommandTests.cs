using System.Text.Json.Nodes;
using ClipSharp.Tests.Cli;
using ClipSharp.Tests.Support;
using ClipSharp.Tests.Training;
using ClipSharp.Workflows.Experiments;

namespace ClipSharp.Tests.Workflows;

/// <summary>
/// `clipsharp experiment inverse-effect|table-a --quick` end to end on the tiny test world (linked in as OUT/world,
/// which the experiments reuse), 2 steps a run: results.json has every configuration's statistics over seeds and each
/// seed's own numbers, report.html embeds the plots, a second invocation trains nothing, and a run folder of another
/// recipe is refused. This checks the plumbing and the statistics, not the numbers.
/// </summary>
[Collection("Console")]
public class ExperimentCommandTests
{
    private static string OutWithWorld(string prefix)
    {
        var dir = TestPaths.NewTempDir(prefix);
        Directory.CreateSymbolicLink(Path.Combine(dir, "world"), TrainingWorld.World);
        return dir;
    }

    private static JsonNode Results(string dir) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "results.json")))!;

    private static double Num(JsonNode? n) => n!.GetValue<double>();

    [Fact]
    public void InverseEffectQuickGivesGainsWithSampleSdAndReusesFinishedRuns()
    {
        var dir = OutWithWorld("inverse");
        string[] args = ["experiment", "inverse-effect", "--quick", "--out", dir, "--steps", "2", "--seeds", "2",
                         "--strategies", "subcaption", "--budgets", "16", "--set", "batch_size=16"];
        var (code, output, err) = CliTests.Run(args);
        Assert.True(code == 0, err + output);
        var json = Results(dir);
        Assert.Equal("inverse-effect", json["experiment"]!.GetValue<string>());
        var configs = json["configs"]!.AsArray();
        Assert.Equal(["full", "subcaption-16"], configs.Select(c => c!["key"]!.GetValue<string>()));
        var eval = ExperimentWorld.RetrievalEval;
        var fullSeeds = configs[0]!["seeds"]!.AsArray();
        var subSeeds = configs[1]!["seeds"]!.AsArray();
        Assert.Equal(2, subSeeds.Count);
        // per seed: gain = this seed's mean recall − the same seed's full-caption mean recall
        var gains = Enumerable.Range(0, 2).Select(i =>
        {
            double mr = Num(subSeeds[i]!["metrics"]![eval]![ExperimentWorld.MeanRecallKey]);
            Assert.Equal(mr - Num(fullSeeds[i]!["metrics"]![eval]![ExperimentWorld.MeanRecallKey]), Num(subSeeds[i]!["metrics"]![eval]![InverseEffectExperiment.GainKey]), 9);
            return Num(subSeeds[i]!["metrics"]![eval]![InverseEffectExperiment.GainKey]);
        }).ToList();
        var gain = configs[1]!["summary"]![eval]![InverseEffectExperiment.GainKey]!;
        Assert.Equal(gains.Average(), Num(gain["mean"]), 5);
        Assert.Equal(Math.Abs(gains[0] - gains[1]) / Math.Sqrt(2), Num(gain["sd"]), 5);      // sample sd of two values
        Assert.Equal(2, gain["n"]!.GetValue<int>());
        Assert.Equal(0, Num(configs[0]!["summary"]![eval]![InverseEffectExperiment.GainKey]!["sd"]));
        Assert.NotNull(configs[0]!["summary"]![ExperimentWorld.BagEval]!["text_to_image_acc"]);  // every eval is reported
        var html = File.ReadAllText(Path.Combine(dir, "report.html"));
        Assert.Contains("plots/gain-vs-k-world-eval.png", html);
        Assert.True(new FileInfo(Path.Combine(dir, "plots", "gain-vs-k-world-eval.png")).Length > 1000, "a real PNG chart");

        var again = CliTests.Run(args);                                                        // nothing left to train
        Assert.True(again.Code == 0, again.Err + again.Out);
        Assert.All(Results(dir)["configs"]!.AsArray().SelectMany(c => c!["seeds"]!.AsArray()), s => Assert.True(s!["reused"]!.GetValue<bool>()));
        Assert.Equal(Num(gain["mean"]), Num(Results(dir)["configs"]![1]!["summary"]![eval]![InverseEffectExperiment.GainKey]!["mean"]), 9);

        var other = CliTests.Run([.. args[..6], "3", .. args[7..]]);                          // --steps 3: another recipe
        Assert.NotEqual(0, other.Code);
        Assert.Contains("holds a run of another recipe", other.Err);
    }

    [Fact]
    public void TableAQuickComparesTheFiveMethodsWithOneSeedAndZeroSd()
    {
        var dir = OutWithWorld("table-a");
        var (code, output, err) = CliTests.Run("experiment", "table-a", "--quick", "--out", dir, "--steps", "2", "--set", "batch_size=16");
        Assert.True(code == 0, err + output);
        var configs = Results(dir)["configs"]!.AsArray();
        Assert.Equal(["clips", "clip-web", "clip-synthetic", "clipa-mix", "coca-mix"], configs.Select(c => c!["key"]!.GetValue<string>()));
        foreach (var c in configs)
        {
            Assert.Single(c!["seeds"]!.AsArray());
            var r10 = c["summary"]![ExperimentWorld.RetrievalEval]!["image_retrieval_recall@10"]!;
            Assert.InRange(Num(r10["mean"]), 0, 1);
            Assert.Equal(0, Num(r10["sd"]));
            Assert.Equal(1, r10["n"]!.GetValue<int>());
            Assert.NotNull(c["summary"]![ExperimentWorld.BagEval]!["text_to_image_acc"]);
        }
        Assert.NotNull(configs[0]!["summary"]![ExperimentWorld.BagEval]!["caption_self_retrieval_acc"]);  // CLIPS has a captioner
        Assert.True(File.Exists(Path.Combine(dir, "models", TableAExperiment.CocaModelFile)));
        var html = File.ReadAllText(Path.Combine(dir, "report.html"));
        Assert.Contains("plots/retrieval-world-eval.png", html);
        Assert.Contains("plots/bags.png", html);
        Assert.Contains("CoCa (80/20 mix)", html);
    }

    [Fact]
    public void EveryRunGetsTheHeldOutEvalWhenTheWorldHasOne()
    {
        var world = TestPaths.NewTempDir("heldout-world");
        File.Copy(Path.Combine(TrainingWorld.World, "manifest.json"), Path.Combine(world, "manifest.json"));
        string Names() => string.Join(",", JsonNode.Parse(ExperimentWorld.Evals(world).Single()["evals=".Length..])!.AsArray().Select(e => e!["name"]!.GetValue<string>()));
        Assert.Equal("world-eval,world-bags", Names());
        Directory.CreateDirectory(Path.Combine(world, "eval"));
        File.WriteAllText(Path.Combine(world, ExperimentWorld.HeldoutFile), "{}");
        Assert.Equal("world-eval,world-eval-heldout,world-bags", Names());
        Assert.Equal([ExperimentWorld.RetrievalEval, ExperimentWorld.HeldoutEval], ExperimentWorld.RetrievalEvals(world));
    }
}
