using System.Text;
using System.Text.Json.Nodes;
using ClipSharp.Core;
using ClipSharp.Data;
using ClipSharp.Data.Images;
using ClipSharp.Data.Sources;
using ClipSharp.Scenes;
using ClipSharp.Tests.Cli;
using ClipSharp.Tests.Inference;
using ClipSharp.Tests.Support;
using ClipSharp.Tests.Training;
using ClipSharp.Workflows.Probes;

namespace ClipSharp.Tests.Workflows;

/// <summary>
/// `clipsharp experiment probe` end to end on the tiny test world with a tiny random-init CLIPS run folder: probe.json
/// has every attribute with accuracies in range and chance = 1/classes, the supervised control runs a few steps for the
/// attributes asked for only; bad samples are skipped and counted by reason; bad options are one-sentence errors.
/// This checks the plumbing, not the numbers (a random model encodes little).
/// </summary>
[Collection("Console")]
public class ProbeCommandTests
{
    [Fact]
    public void WritesEveryAttributeAndRunsTheSupervisedControl()
    {
        var (model, _) = ClipPipelineTests.RunDirectory();
        var output = TestPaths.NewTempDir("probe");
        var (code, stdout, err) = CliTests.Run("experiment", "probe", model, "--world", TrainingWorld.World, "--samples", "120",
            "--holdout", "0.25", "--out", output, "--supervised", "cell,shape", "--steps", "3", "--batch", "8", "--threads", "1");
        Assert.True(code == 0, err + stdout);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(output, ProbeExperiment.ResultsFile)))!;
        Assert.Equal(120, json["samples"]!.GetValue<int>());
        Assert.Equal(30, json["held_out"]!.GetValue<int>());
        Assert.Equal(0, json["bad_samples"]!["total"]!.GetValue<long>());
        var attributes = json["attributes"]!.AsArray();
        Assert.Equal(["colour", "shape", "size", "pattern", "cell", "count", "background"], attributes.Select(a => a!["name"]!.GetValue<string>()));
        foreach (var a in attributes)
        {
            Assert.InRange(a!["probe_accuracy"]!.GetValue<double>(), 0, 1);
            Assert.InRange(a["majority_accuracy"]!.GetValue<double>(), 0, 1);
            Assert.Equal(1.0 / a["classes"]!.GetValue<int>(), a["chance"]!.GetValue<double>(), 12);
            var supervised = a["supervised"];
            if (a["name"]!.GetValue<string>() is "cell" or "shape")
            {
                var curve = supervised!["curve"]!.AsArray();
                Assert.Equal(3, curve.Single()!["step"]!.GetValue<int>());
                Assert.InRange(supervised["heldout_accuracy"]!.GetValue<double>(), 0, 1);
                Assert.True(double.IsFinite(curve[0]!["loss"]!.GetValue<double>()));
            }
            else Assert.Null(supervised);
        }
        Assert.Contains("supervised (3 steps)", stdout);
    }

    [Fact]
    public void TheControlsOptimizerHoldsEveryParameterOfTheTowerAndTheHead()
    {
        var config = ClipSharp.Modeling.ModelFactory.LoadConfig(Path.Combine(TrainingWorld.Root, "tiny-clip.json")).Model;
        using var net = new SupervisedControl.ControlNet(config, classes: 9);
        int tower = net.Visual.parameters().Count();
        Assert.True(tower > 5);
        Assert.Equal(tower + 2, net.parameters().Count());
        using var opt = ClipSharp.Training.Optim.ParameterGroups.AdamW(net, 1e-3, 0.9, 0.98, 1e-6, 0.1);
        Assert.Equal(tower + 2, opt.parameters().Count());
    }

    [Fact]
    public void BadSamplesAreSkippedAndCountedByReason()
    {
        var world = WorldWithBadSamples();
        using var samples = ProbeSamples.Read(world, 100, new EvalTransform(PreprocessConfig.Clips(32)));
        Assert.Equal(3, samples.Count);
        Assert.Equal(["good-0", "good-1", "good-2"], samples.Keys);
        Assert.Equal([3, 32, 32], samples.Pixels.shape[1..]);
        var bad = samples.Bad;
        Assert.Equal(5, bad.Total);
        Assert.Equal(1, bad[BadSampleReasons.InvalidJson]);
        Assert.Equal(1, bad[BadSampleReasons.CorruptImage]);
        Assert.Equal(1, bad[BadSampleReasons.MissingImage]);
        Assert.Equal(2, bad[ProbeSamples.InvalidScene]);
        Assert.Contains("no-scene", bad.First[ProbeSamples.InvalidScene].Message);       // names the sample
        Assert.Contains("train-bad.tar", bad.First[BadSampleReasons.CorruptImage].Origin); // and the shard
    }

    [Fact]
    public void BadOptionsAreOneSentenceErrors()
    {
        var (model, _) = ClipPipelineTests.RunDirectory();
        var notAWorld = TestPaths.NewTempDir("not-a-world");
        var (code, _, err) = CliTests.Run("experiment", "probe", model, "--world", notAWorld, "--out", TestPaths.NewTempDir("probe-bad"));
        Assert.NotEqual(0, code);
        Assert.Contains("not a built-in world", err);
        (code, _, err) = CliTests.Run("experiment", "probe", model, "--world", TrainingWorld.World, "--supervised", "colour,flavour");
        Assert.NotEqual(0, code);
        Assert.Contains("Unknown probe attribute \"flavour\"", err);
        Assert.Throws<ClipSharpException>(() => ProbeExperiment.Run(new ProbeOptions { Model = model, World = TrainingWorld.World, Holdout = 1 }));
    }

    // A world of one shard: three good samples (copied from the test world) and five bad ones.
    private static string WorldWithBadSamples()
    {
        var dir = TestPaths.NewTempDir("probe-bad-world");
        var manifest = WorldManifest.Read(TrainingWorld.World);
        var good = TarSampleGroups.Read(Path.Combine(TrainingWorld.World, manifest.TrainShards[0])).Take(4).Select(g => g.Members!).ToList();
        Directory.CreateDirectory(Path.Combine(dir, "train"));
        using (var tar = new TarShardWriter(Path.Combine(dir, "train", "train-bad.tar")))
        {
            var noScene = Encoding.UTF8.GetBytes("{\"org_caption\": \"a red circle\"}");
            var badScene = Encoding.UTF8.GetBytes("{\"scene\": {\"background\": null, \"objects\": []}}");
            Add(tar, "good-0", good[0]);
            Add(tar, "bad-json", new Dictionary<string, byte[]> { ["jpg"] = good[1]["jpg"], ["json"] = "{not json"u8.ToArray() });
            Add(tar, "no-scene", new Dictionary<string, byte[]> { ["jpg"] = good[1]["jpg"], ["json"] = noScene });
            Add(tar, "good-1", good[1]);
            Add(tar, "bad-scene", new Dictionary<string, byte[]> { ["jpg"] = good[1]["jpg"], ["json"] = badScene });
            Add(tar, "corrupt-jpg", new Dictionary<string, byte[]> { ["jpg"] = [0xFF, 0xD8, 1, 2, 3], ["json"] = good[2]["json"] });
            Add(tar, "no-image", new Dictionary<string, byte[]> { ["json"] = good[2]["json"] });
            Add(tar, "good-2", good[2]);
            tar.Complete();
        }
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(TrainingWorld.World, WorldManifest.FileName)))!;
        json["train_shards"] = new JsonArray("train/train-bad.tar");
        File.WriteAllText(Path.Combine(dir, WorldManifest.FileName), json.ToJsonString());
        return dir;
    }

    private static void Add(TarShardWriter tar, string key, IReadOnlyDictionary<string, byte[]> members)
    {
        foreach (var (ext, data) in members.OrderBy(kv => kv.Key, StringComparer.Ordinal)) tar.Add($"{key}.{ext}", data);
    }
}
