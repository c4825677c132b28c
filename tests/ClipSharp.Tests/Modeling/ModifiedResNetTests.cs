using ClipSharp.Checkpoints;
using ClipSharp.Core;
using ClipSharp.Data.Images;
using ClipSharp.Inference;
using ClipSharp.Modeling;
using ClipSharp.Modeling.Layers;
using ClipSharp.Scenes;
using ClipSharp.Tests.Support;
using ClipSharp.Training.Finetuning;
using ClipSharp.Training.Recipes;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Modeling;

/// <summary>
/// OpenCLIP's ModifiedResNet image tower beyond what the parity fixture (tests/fixtures/openclip-rn) checks: the config
/// rules, BatchNorm state through a run folder, and the fine-tuning controls that a ResNet refuses or changes.
/// </summary>
public class ModifiedResNetTests
{
    private const string Rn50Style = """
        {"embed_dim": 32, "quick_gelu": true,
         "vision_cfg": {"image_size": 64, "layers": [1, 2, 1, 1], "width": 8, "head_width": 32, "patch_size": null},
         "text_cfg": {"context_length": 16, "vocab_size": 512, "width": 32, "heads": 2, "layers": 1}}
        """;

    private static ModelConfig Config(string json = Rn50Style) => ModelConfigReader.Parse(json, "rn.json", "rn").Model;

    [Fact]
    public void ALayersListSelectsTheResNetTower()
    {
        var cfg = Config();
        Assert.True(cfg.Vision.IsResNet);
        Assert.Equal([1, 2, 1, 1], cfg.Vision.StageBlocks);
        Assert.Equal(2, cfg.Vision.GridSize);
        Assert.Equal(cfg, Config());   // two reads of one config are equal records (the stages are a value)
        Assert.Equal("[1,2,1,1]", System.Text.Json.JsonSerializer.Serialize(cfg.Vision.StageBlocks));
        using var model = (ClipModel)ModelFactory.Create(cfg);
        var rn = Assert.IsType<ModifiedResNet>(model.visual);
        Assert.Equal(256, rn.TokenWidth);
        Assert.Equal(8, rn.attnpool.Heads);   // width · 32 / head_width
        Assert.Contains(model.state_dict().Keys, k => k == "visual.layer2.1.bn3.running_var");
        Assert.Contains(model.state_dict().Keys, k => k == "visual.layer1.0.downsample.0.weight");
        Assert.DoesNotContain(model.state_dict().Keys, k => k.StartsWith("visual.layer2.1.downsample", StringComparison.Ordinal));
        using var x = randn(3, 3, 64, 64);
        var o = model.Vision.Encode(x);
        Assert.Equal([3L, 32L], o.Pooled.shape);
        Assert.Equal([3L, 4L, 256L], o.Tokens.shape);
        Assert.True(o.Pooled.allclose(model.Vision.EncodePooled(x)));
    }

    [Theory]
    [InlineData("[1, 2, 1, 1]", "[1, 1, 1]", "3 stages")]
    [InlineData("[1, 2, 1, 1]", "[1, 0, 1, 1]", "list of positive integers")]
    [InlineData("\"image_size\": 64", "\"image_size\": 80", "not a multiple of 32")]
    [InlineData("\"patch_size\": null", "\"patch_size\": null, \"pool_type\": \"avg\"", "ViT-only option")]
    public void BadResNetConfigsAreNamed(string from, string to, string message)
    {
        Assert.Contains(from, Rn50Style);
        var e = Assert.Throws<ClipSharpException>(() => Config(Rn50Style.Replace(from, to)));
        Assert.Contains(message, e.Message);
        Assert.Contains("rn.json", e.Message);
    }

    [Fact]
    public void ANullPatchSizeNeedsAResNet()
    {
        var e = Assert.Throws<ClipSharpException>(() => Config(Rn50Style.Replace("[1, 2, 1, 1]", "2")));
        Assert.Contains("patch_size is null", e.Message);
    }

    [Fact]
    public void CoCaRefusesAResNetTower()
    {
        var json = Rn50Style.Replace("\"embed_dim\": 32,", "\"embed_dim\": 32, \"multimodal_cfg\": {\"context_length\": 16, \"vocab_size\": 512, \"width\": 32, \"heads\": 2, \"layers\": 1},");
        var e = Assert.Throws<ClipSharpException>(() => ModelFactory.Create(Config(json)));
        Assert.Contains("ResNet", e.Message);
    }

    [Fact]
    public void BatchNormStatisticsTravelThroughARunFolder()
    {
        manual_seed(4);
        var cfgPath = Path.Combine(TestPaths.RepoRoot, "configs", "models", "quickstart-clips-rn.json");
        using var model = (ClipsModel)ModelFactory.Create(ModelFactory.LoadConfig(cfgPath).Model);
        using (no_grad()) { model.train(); for (int i = 0; i < 3; i++) model.EncodeImage(randn(8, 3, 64, 64).mul(0.5).add(0.3), false); }
        model.eval();
        var bn = (BatchNormLayer)((ModifiedResNet)model.visual).layer1.children().OfType<Bottleneck>().First().bn2;
        Assert.True(bn.num_batches_tracked.item<long>() == 3 && bn.running_mean.abs().sum().item<float>() > 0, "the training forwards must move the running statistics");
        var dir = TestPaths.NewTempDir("rn-run");
        File.WriteAllText(Path.Combine(dir, "open_clip_config.json"),
            $"{{\"model_cfg\": {File.ReadAllText(cfgPath)}, \"preprocess_cfg\": {PreprocessConfig.Clips(64).ToJson()}}}");
        SafeTensorsWriter.Save(Path.Combine(dir, "model.safetensors"), model.state_dict());
        WorldVocabulary.Write(Path.Combine(dir, "vocab.txt"));
        using var pipe = ClipPipeline.Load(dir);
        using var x = randn(2, 3, 64, 64);
        using var want = model.EncodeImage(x, true);
        using var got = pipe.Model.EncodeImage(x, true);
        Assert.True(got.allclose(want, 1e-5, 1e-6), "eval-mode features after a reload must use the saved running statistics");
        using var fresh = (ClipsModel)ModelFactory.Create(ModelFactory.LoadConfig(cfgPath).Model);
        fresh.eval();
        Assert.False(fresh.EncodeImage(x, true).allclose(want, 1e-3, 1e-4), "the check can fail: fresh statistics give other features");
    }

    [Fact]
    public void AResNetCheckpointIsRecognisedAndMatchedToItsConfig()
    {
        // the reference's tiny RN CLIP: OpenCLIP's own state dict, its config beside it ([1, 2, 1, 1], width 8, 64 px)
        var weights = Path.Combine(Fixtures.RepoFixtures, "openclip-rn", "models", "oc-tiny-rn-a", "weights.safetensors");
        var s = CheckpointSummary.Inspect(weights, [Path.Combine(TestPaths.RepoRoot, "configs", "models")]);
        var v = s.Architecture.Vision!;
        Assert.True(v.IsResNet);
        Assert.Equal([1, 2, 1, 1], v.StageBlocks!);
        Assert.Equal((8, 64, 64), (v.Width, v.ImageSize, v.OutputDim));
        Assert.Equal("oc-tiny-rn-a", Assert.Single(s.Matches).Name);
        Assert.Equal(1_146_797, s.ParameterCount);   // the reference's parameter count: BatchNorm buffers are state, not parameters
        // a ResNet config never matches a ViT checkpoint, nor another stage layout
        var rnConfig = s.Configs.Single(c => c.Name == "quickstart-clip-rn");
        Assert.Contains(rnConfig.Differences, d => d.Contains("vision_cfg.layers: config [1, 1, 1, 1], checkpoint [1, 2, 1, 1]"));
        var vitWeights = Path.Combine(Fixtures.RepoFixtures, "openclip-flags", "models", "flag-avg-pool", "weights.safetensors");
        var vit = ArchitectureGuess.FromTensors(CheckpointReader.Inspect(vitWeights).Tensors);
        Assert.False(vit.Vision!.IsResNet);
        var vsRn = ModelConfigMatcher.Compare(vit, [Path.Combine(TestPaths.RepoRoot, "configs", "models", "quickstart-clip-rn.json")]).Single();
        Assert.Contains(vsRn.Differences, d => d.Contains("config [1, 1, 1, 1], checkpoint a ViT"));
    }

    [Fact]
    public void LockingAResNetIsWholeAndCanFreezeItsStatistics()
    {
        using var model = (ClipModel)ModelFactory.Create(Config());
        var partial = Assert.Throws<ClipSharpException>(() => TowerLock.FrozenNames(model, new LockRecipe { Image = true, ImageUnlockedGroups = 1 }));
        Assert.Contains("ResNet", partial.Message);
        Assert.Throws<ClipSharpException>(() => LayerDecay.Scales(model, 0.8, null));
        var frozen = TowerLock.FrozenNames(model, new LockRecipe { Image = true });
        Assert.Equal(model.named_parameters().Select(p => p.name).Where(n => n.StartsWith("visual.", StringComparison.Ordinal)), frozen);
        Assert.Contains("visual.bn1.weight", frozen);

        var rn = (ModifiedResNet)model.visual;
        rn.FreezeBatchNormStats = true;
        model.train();
        var bn = rn.bn1;
        Assert.False(bn.training, "a frozen-statistics BatchNorm stays in eval mode when the model trains");
        using (no_grad()) model.EncodeImage(randn(4, 3, 64, 64), false);
        Assert.Equal(0, bn.num_batches_tracked.item<long>());
        Assert.True(rn.layer4.training);   // the rest of the tower trains
    }
}
