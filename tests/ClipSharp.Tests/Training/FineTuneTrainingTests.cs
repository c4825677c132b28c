using System.Text.Json.Nodes;
using ClipSharp.Checkpoints;
using ClipSharp.Modeling;
using ClipSharp.Tests.Checkpoints;
using ClipSharp.Tests.Support;
using ClipSharp.Training;
using ClipSharp.Training.Checkpointing;
using ClipSharp.Training.Finetuning;
using ClipSharp.Training.Recipes;
using ClipSharp.Training.Runs;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Training;

/// <summary>
/// Fine-tuning on the tiny world, for real: a 2-block CLIP initialised from an OpenCLIP-style Hugging Face folder
/// (open_clip_config.json + open_clip_pytorch_model.bin, {"state_dict": {"module." + key}}) or from a run folder,
/// with locked towers and layer-wise lr decay; locked weights must stay bit-identical and a resumed run must equal an
/// uninterrupted one.
/// </summary>
[Collection("TrainerProcesses")]
public class FineTuneTrainingTests
{
    /// <summary>The tiny world's CLIP config with 2 blocks per tower.</summary>
    internal static string TwoBlockConfig()
    {
        var cfg = JsonNode.Parse(File.ReadAllText(Path.Combine(TrainingWorld.Root, "tiny-clip.json")))!;
        cfg["vision_cfg"]!["layers"] = 2;
        cfg["text_cfg"]!["layers"] = 2;
        return cfg.ToJsonString();
    }

    /// <summary>A model folder with random weights (seed): the Hub layout (.bin, nested, "module.") or a plain safetensors.</summary>
    internal static string ModelFolder(string dir, string configJson, long seed, bool torchBin)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, HfModelDirectory.ConfigName), new JsonObject { ["model_cfg"] = JsonNode.Parse(configJson) }.ToJsonString());
        File.Copy(Path.Combine(TrainingWorld.World, "vocab.txt"), Path.Combine(dir, "vocab.txt"));
        manual_seed(seed);
        using var m = ModelFactory.Create(ModelConfigReader.Parse(configJson, "test config", "tiny2").Model);
        var sd = RunDirectory.StateDict(m);
        if (!torchBin) { SafeTensorsWriter.Save(Path.Combine(dir, "open_clip_model.safetensors"), sd); return dir; }
        var od = new PyOrderedDict();
        int k = 0;
        foreach (var (name, t) in sd) od.Add(("module." + name, PyTensor.Of(t, (k++).ToString())));
        TorchSaveWriter.SaveZip(Path.Combine(dir, "open_clip_pytorch_model.bin"), new Dictionary<object, object?> { ["epoch"] = 3L, ["state_dict"] = od });
        return dir;
    }

    private static Recipe FineTune(string pretrained, long steps, Action<JsonObject> edit) => TrainingWorld.Recipe("clip", steps, 16, r =>
    {
        r["model"] = pretrained;                                         // the folder is also the model config
        r["pretrained"] = pretrained;
        r.Remove("tokenizer");                                           // vocab.txt from the pretrained folder
        edit(r);
    });

    private static Dictionary<string, Tensor> Load(string file) => SafeTensorsFile.Load(file);

    private static bool Same(Tensor a, Tensor b) => a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Fact]
    public void LockedWeightsStayBitIdenticalAndALockedLayerDecayedRunResumesBitForBit()
    {
        var dir = TestPaths.NewTempDir("finetune-lock");
        var hub = ModelFolder(Path.Combine(dir, "hub"), TwoBlockConfig(), seed: 11, torchBin: true);
        void Edit(JsonObject r)
        {
            r["lock"] = new JsonObject { ["image"] = true, ["image_unlocked_groups"] = 1, ["text"] = true, ["text_unlocked_layers"] = 2 };
            r["optim"]!["layer_decay"] = 0.5;
        }
        var full = Path.Combine(dir, "full");
        Assert.True(Trainer.Run(new TrainOptions { Recipe = FineTune(hub, 4, Edit), RunDirectory = full }).Completed);

        using var init = CheckpointReader.Read(HfModelDirectory.Open(hub).WeightsPath);
        var after = Load(Path.Combine(full, "model.safetensors"));
        Assert.Equal(init.Keys.Order(), after.Keys.Order());                        // every weight, OpenCLIP names, "module." gone
        using var probe = ModelFactory.Create(ModelFactory.LoadConfig(hub).Model);
        var frozen = TowerLock.FrozenNames(probe, FineTune(hub, 4, Edit).Lock).ToHashSet();
        Assert.Contains("visual.conv1.weight", frozen);
        Assert.Contains("transformer.resblocks.0.attn.in_proj_weight", frozen);
        var wrong = after.Where(kv => Same(init[kv.Key], kv.Value) != frozen.Contains(kv.Key))
            .Select(kv => $"{kv.Key}: frozen={frozen.Contains(kv.Key)} but {(Same(init[kv.Key], kv.Value) ? "unchanged" : $"changed by {(init[kv.Key] - kv.Value).abs().max().item<float>()}")}").ToList();
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.True(File.Exists(Path.Combine(full, "vocab.txt")), "the run folder needs the pretrained folder's vocabulary");
        var moments = Load(new CheckpointStore(full, 3).Latest()!.OptimizerPath);
        Assert.DoesNotContain(moments.Keys, k => k.StartsWith("visual.conv1.", StringComparison.Ordinal));  // locked: not in the optimizer
        Assert.Contains("visual.proj.exp_avg", moments.Keys);

        var split = Path.Combine(dir, "split");
        Assert.False(Trainer.Run(new TrainOptions { Recipe = FineTune(hub, 4, Edit), RunDirectory = split, StopAtStep = 2 }).Completed);
        Assert.True(Trainer.Run(new TrainOptions { Recipe = FineTune(hub, 4, Edit), RunDirectory = split, Resume = "latest" }).Completed);
        var resumed = Load(Path.Combine(split, "model.safetensors"));
        foreach (var (name, t) in after) Assert.True(Same(t, resumed[name]), $"{name}: the resumed run differs");
    }

    [Fact]
    public void LayerDecayScalesTheFirstAdamStepOfEveryGroupFromARunFolder()
    {
        var dir = TestPaths.NewTempDir("finetune-llrd");
        var hub = ModelFolder(Path.Combine(dir, "hub"), TwoBlockConfig(), seed: 12, torchBin: false);
        var first = Path.Combine(dir, "first");
        Assert.True(Trainer.Run(new TrainOptions { Recipe = FineTune(hub, 1, r => r["schedule"]!["warmup_steps"] = 0), RunDirectory = first }).Completed);

        // One step from the run folder: Adam's first update is lr·g/(|g| + ε) ≈ ±lr elementwise, so the largest change
        // of each tensor is its group's lr: 1e-3 × 0.5^(3 − layer id) (L = 2: embeddings 0.125, blocks 0.25 and 0.5, heads 1).
        var second = Path.Combine(dir, "second");
        var recipe = FineTune(first, 1, r =>
        {
            r["optim"] = new JsonObject { ["lr"] = 1e-3, ["weight_decay"] = 0.0, ["eps"] = 1e-12, ["layer_decay"] = 0.5 };
            r["schedule"] = new JsonObject { ["kind"] = "constant", ["total_steps"] = 1, ["warmup_steps"] = 0 };
        });
        Assert.True(Trainer.Run(new TrainOptions { Recipe = recipe, RunDirectory = second }).Completed);
        var before = Load(Path.Combine(first, "model.safetensors"));
        var after = Load(Path.Combine(second, "model.safetensors"));
        foreach (var (name, t) in after)
        {
            double scale = name switch
            {
                _ when name.StartsWith("visual.conv1", StringComparison.Ordinal) || name.Contains("positional_embedding") || name.Contains("class_embedding")
                    || name.StartsWith("token_embedding", StringComparison.Ordinal) => 0.125,
                _ when name.Contains("transformer.resblocks.0.") => 0.25,
                _ when name.Contains("transformer.resblocks.1.") || name.Contains("ln_post") || name.StartsWith("ln_final", StringComparison.Ordinal) => 0.5,
                _ => 1.0,                                                    // visual.proj, text_projection, logit_scale
            };
            double step = (t - before[name]).abs().max().item<float>();
            Assert.InRange(step / (1e-3 * scale), 0.97, 1.03);
        }
    }
}
