using System.Text.Json.Nodes;
using ClipSharp.Checkpoints;
using ClipSharp.Core;
using ClipSharp.Modeling;
using ClipSharp.Tests.Support;
using ClipSharp.Training;
using ClipSharp.Training.Metrics;

namespace ClipSharp.Tests.Training;

[Collection("TrainerProcesses")]
public class TrainerTests
{
    private static TrainResult Train(string run, string kind = "clips", long steps = 2, int batch = 16, Action<JsonObject>? edit = null) =>
        Trainer.Run(new TrainOptions { Recipe = TrainingWorld.Recipe(kind, steps, batch, edit), RunDirectory = run });

    private static double LastLoss(string run) => MetricsLog.Read(Path.Combine(run, MetricsLog.FileName))
        .Last(e => e.GetProperty("kind").GetString() == "train").GetProperty("loss").GetDouble();

    private static Dictionary<string, TorchSharp.torch.Tensor> Weights(string run) => SafeTensorsFile.Load(Path.Combine(run, "model.safetensors"));

    [Fact]
    public void AccumulationWithCachedFeaturesEqualsTheWholeBatch()
    {
        // accum_steps 2 x 8 samples must give the gradient of one 16-sample batch: negatives span both micro-batches.
        var dir = TestPaths.NewTempDir("accum");
        Train(Path.Combine(dir, "whole"), steps: 2);
        Train(Path.Combine(dir, "accum"), steps: 2, edit: r => r["accum_steps"] = 2);
        Train(Path.Combine(dir, "small"), steps: 2, batch: 8); // a different batch must differ (the test can fail)
        var (whole, accum, small) = (Weights(Path.Combine(dir, "whole")), Weights(Path.Combine(dir, "accum")), Weights(Path.Combine(dir, "small")));
        double maxAccum = 0, maxSmall = 0;
        foreach (var (k, t) in whole)
        {
            maxAccum = Math.Max(maxAccum, (t - accum[k]).abs().max().item<float>());
            maxSmall = Math.Max(maxSmall, (t - small[k]).abs().max().item<float>());
        }
        Assert.True(maxAccum < 2e-5, $"accumulated weights differ from whole-batch weights by {maxAccum}");
        Assert.True(maxSmall > 1e-4, $"an 8-sample batch should train differently (max diff {maxSmall})");
    }

    [Fact]
    public void RunFolderIsAnOpenClipModelDirectoryWithMetricsAndResults()
    {
        var run = Path.Combine(TestPaths.NewTempDir("rundir"), "run");
        var w = TrainingWorld.World;
        var result = Train(run, steps: 3, edit: r => r["evals"] = new JsonArray(
            new JsonObject { ["name"] = "eval", ["kind"] = "retrieval", ["path"] = Path.Combine(w, "eval", "dataset_eval.json"), ["every_steps"] = 2 },
            new JsonObject { ["name"] = "bags", ["kind"] = "bags", ["path"] = Path.Combine(w, "bags", "bags.json") }));
        Assert.True(result.Completed);
        Assert.Equal(3, result.Steps);
        var cfg = ModelFactory.LoadConfig(run);
        using var model = ModelFactory.Create(cfg.Model);
        using (var sd = CheckpointReader.Read(Path.Combine(run, "model.safetensors")))
            Assert.True(StateDictLoader.Load(model, sd, strict: true).IsExact);
        Assert.True(File.Exists(Path.Combine(run, "vocab.txt")));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(run, "tensorboard"), "events.out.tfevents*", SearchOption.AllDirectories));
        var records = MetricsLog.Read(Path.Combine(run, MetricsLog.FileName));
        Assert.Equal(3, records.Count(r => r.GetProperty("kind").GetString() == "train"));
        Assert.Contains(records, r => r.GetProperty("kind").GetString() == "eval" && r.GetProperty("step").GetInt64() == 2 && r.TryGetProperty("eval/image_retrieval_recall@1", out _));
        Assert.Contains(records, r => r.GetProperty("kind").GetString() == "eval" && r.TryGetProperty("bags/text_to_image_acc", out _));
        Assert.Contains(records, r => r.GetProperty("kind").GetString() == "summary");
        var results = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "results.json")))!;
        Assert.Equal(2, results["results"]!.AsArray().Count);
        Assert.Equal("zeroshot_retrieval", (string?)results["results"]![0]!["task"]);
        Assert.Contains("bad_samples", results.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void NonFiniteStepsAreSkippedThenTrainingStopsWithAClearMessage()
    {
        var run = Path.Combine(TestPaths.NewTempDir("nan"), "run");
        var e = Assert.Throws<ClipSharpException>(() => Train(run, kind: "clip", steps: 20, edit: r =>
        {
            r["optim"] = new JsonObject { ["lr"] = 1e30, ["weight_decay"] = 0.0 };
            r["max_non_finite_in_a_row"] = 2;
        }));
        Assert.Contains("non-finite", e.Message);
        Assert.Contains("in a row", e.Message);
    }

    [Fact]
    public void UnknownPrecisionAndBadAccumulationAreClearErrors()
    {
        var run = Path.Combine(TestPaths.NewTempDir("bad"), "run");
        Assert.Contains("fp32", Assert.Throws<ClipSharpException>(() => Train(run, edit: r => r["precision"] = "bf16")).Message);
        Assert.Contains("accum_steps", Assert.Throws<ClipSharpException>(() => Train(run, edit: r => r["accum_steps"] = 3)).Message);
    }

    // amp_bf16 and pure_bf16 train the same recipe to a nearby loss, and their run folders hold fp32 weights that load
    // into an fp32 model exactly (OpenCLIP names, every key).
    [Theory]
    [InlineData("amp_bf16", 0.02)]
    [InlineData("pure_bf16", 0.05)]
    [InlineData("amp_fp16", 0.02)]
    public void Bf16PrecisionsTrainCloseToFp32AndWriteFp32Weights(string precision, double tolerance)
    {
        var dir = TestPaths.NewTempDir("prec-" + precision);
        Train(Path.Combine(dir, "fp32"), steps: 3);
        var run = Path.Combine(dir, precision);
        Train(run, steps: 3, edit: r => r["precision"] = precision);
        double expected = LastLoss(Path.Combine(dir, "fp32")), actual = LastLoss(run);
        double rel = Math.Abs(actual - expected) / Math.Abs(expected);
        var last = MetricsLog.Read(Path.Combine(run, MetricsLog.FileName)).Last(e => e.GetProperty("kind").GetString() == "train");
        Assert.Equal(precision == "amp_fp16", last.TryGetProperty("loss_scale", out var scale));   // the scaler's state is logged
        long skipped = precision == "amp_fp16" ? (long)last.GetProperty("loss_scale_skipped").GetDouble() : 0;
        if (skipped > 0)   // fp16 overflow at the initial 2^16: those updates were skipped and the scale halved each time
            Assert.Equal(65536.0 * Math.Pow(0.5, skipped), scale.GetDouble());
        else
            Assert.True(rel < tolerance, $"{precision}: loss at step 3 {actual} vs fp32 {expected} ({rel:P2} apart)");
        var weights = Weights(run);
        Assert.All(weights, kv => Assert.Equal(TorchSharp.torch.ScalarType.Float32, kv.Value.dtype));
        using var model = ModelFactory.Create(ModelFactory.LoadConfig(run).Model);
        Assert.True(StateDictLoader.Load(model, weights, strict: true).IsExact);
        Assert.Contains($"\"precision\": \"{precision}\"", File.ReadAllText(Path.Combine(run, "recipe.json")));
    }

    // A native libtorch error inside a step (here: token ids beyond the model's vocabulary, a tokenizer/model mismatch)
    // surfaces once, as a ClipSharpException naming the step and libtorch's first line; nothing retries it.
    [Fact]
    public void ANativeErrorInAStepSurfacesWithAClearMessage()
    {
        var dir = TestPaths.NewTempDir("native");
        var cfg = JsonNode.Parse(File.ReadAllText(Path.Combine(TrainingWorld.Root, "tiny-clip.json")))!;
        cfg["text_cfg"]!["vocab_size"] = 4;
        var model = Path.Combine(dir, "tiny-vocab4.json");
        File.WriteAllText(model, cfg.ToJsonString());
        var e = Assert.Throws<ClipSharpException>(() => Train(Path.Combine(dir, "run"), kind: "clip", edit: r => r["model"] = model));
        Assert.StartsWith("Step 1: libtorch failed", e.Message);
        Assert.Contains("index out of range", e.Message);
        Assert.IsAssignableFrom<System.Runtime.InteropServices.ExternalException>(e.InnerException);
    }
}
