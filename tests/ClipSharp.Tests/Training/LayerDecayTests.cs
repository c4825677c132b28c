using ClipSharp.Core;
using ClipSharp.Modeling;
using ClipSharp.Training.Finetuning;
using ClipSharp.Training.Optim;
using ClipSharp.Training.Recipes;
using TorchSharp.Modules;

namespace ClipSharp.Tests.Training;

/// <summary>
/// Layer-wise lr decay: lr × decay^(L + 1 − layer_id) with layer ids 0 = embeddings, i = block i − 1, L + 1 = the
/// projection (OpenCLIP main's lr_scales_for_groups over layer_groups), per tower, on top of the weight-decay groups,
/// multiplied into the scheduled lr.
/// </summary>
public class LayerDecayTests
{
    private const double Lr = 1e-3, Decay = 0.5;

    // name prefix → expected scale for a 3-block tower (L = 3): embeddings d^4, blocks d^3, d^2, d^1 (+ final norm), proj 1.
    private static readonly (string Prefix, double Scale)[] ImageScales =
    [
        ("visual.conv1.", 0.0625), ("visual.class_embedding", 0.0625), ("visual.positional_embedding", 0.0625), ("visual.ln_pre.", 0.0625),
        ("visual.transformer.resblocks.0.", 0.125), ("visual.transformer.resblocks.1.", 0.25), ("visual.transformer.resblocks.2.", 0.5),
        ("visual.ln_post.", 0.5), ("visual.proj", 1.0),
    ];

    private static readonly (string Prefix, double Scale)[] TextScales =
    [
        ("token_embedding.", 0.0625), ("positional_embedding", 0.0625), ("transformer.resblocks.0.", 0.125), ("transformer.resblocks.1.", 0.25),
        ("transformer.resblocks.2.", 0.5), ("ln_final.", 0.5), ("text_projection", 1.0), ("logit_scale", 1.0),
    ];

    private static double ExpectedScale(string name, bool image, bool text)
    {
        foreach (var (prefix, scale) in ImageScales) if (name.StartsWith(prefix, StringComparison.Ordinal)) return image ? scale : 1.0;
        foreach (var (prefix, scale) in TextScales) if (name.StartsWith(prefix, StringComparison.Ordinal)) return text ? scale : 1.0;
        throw new InvalidOperationException(name);
    }

    // Each parameter's group after SetLearningRate(Lr): (lr, weight decay).
    private static Dictionary<string, (double Lr, double Wd)> GroupOf(ContrastiveModel m, TorchSharp.torch.optim.Optimizer opt)
    {
        ParameterGroups.SetLearningRate(opt, Lr);
        var byHandle = new Dictionary<IntPtr, (double, double)>();
        foreach (var g in opt.ParamGroups.Cast<AdamW.ParamGroup>())
            foreach (var p in g.Parameters) byHandle[p.Handle] = (g.LearningRate, g.Options.weight_decay!.Value);
        return m.named_parameters().Where(p => byHandle.ContainsKey(p.parameter.Handle)).ToDictionary(p => p.name, p => byHandle[p.parameter.Handle]);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void EveryParameterGetsLrTimesDecayToItsDepthAndKeepsItsWeightDecay(bool image, bool text)
    {
        using var m = ModelFactory.Create(TowerLockTests.Clip3);
        var (di, dt) = LayerDecay.FromRecipe(new OptimRecipe { LayerDecay = Decay, ImageLayerDecay = image ? null : 1.0, TextLayerDecay = text ? null : 1.0 });
        using var opt = ParameterGroups.AdamW(m, Lr, 0.9, 0.98, 1e-6, 0.2, WeightDecayRule.OpenClip, LayerDecay.Scales(m, di, dt));
        var groups = GroupOf(m, opt);
        Assert.Equal(m.parameters().Count(), groups.Count);
        foreach (var (name, (lr, wd)) in groups)
        {
            Assert.Equal(Lr * ExpectedScale(name, image, text), lr, 1e-15);
            var p = m.named_parameters().First(x => x.name == name).parameter;
            Assert.Equal(ParameterGroups.IsNoDecay(name, p.dim()) ? 0.0 : 0.2, wd);
        }
        // one group per (scale, decay or not), the head's first
        Assert.Equal(1.0, ((ScaledParamGroup)opt.ParamGroups.First()).LrScale);
        Assert.Equal(opt.ParamGroups.Count(), opt.ParamGroups.Cast<ScaledParamGroup>().Select(g => g.Name).Distinct().Count());
    }

    [Fact]
    public void DecayOneKeepsTheTwoWeightDecayGroupsAtTheScheduledLr()
    {
        using var m = ModelFactory.Create(TowerLockTests.Clip3);
        Assert.Equal((null, null), LayerDecay.FromRecipe(new OptimRecipe()));
        using var opt = ParameterGroups.AdamW(m, Lr, 0.9, 0.98, 1e-6, 0.2);
        Assert.Equal(["no_wd", "wd"], opt.ParamGroups.Cast<ScaledParamGroup>().Select(g => g.Name));
        Assert.All(GroupOf(m, opt).Values, g => Assert.Equal(Lr, g.Lr));
    }

    [Fact]
    public void LockedParametersAreLeftOutOfTheDecayedGroups()
    {
        using var m = ModelFactory.Create(TowerLockTests.Clip3);
        TowerLock.Apply(m, new LockRecipe { Image = true, ImageUnlockedGroups = 2 });
        using var opt = ParameterGroups.AdamW(m, Lr, 0.9, 0.98, 1e-6, 0.2, WeightDecayRule.OpenClip, LayerDecay.Scales(m, Decay, Decay));
        var groups = GroupOf(m, opt);
        Assert.DoesNotContain(groups.Keys, n => n.StartsWith("visual.transformer.resblocks.1.", StringComparison.Ordinal) || n.StartsWith("visual.conv1", StringComparison.Ordinal));
        Assert.Equal(Lr * 0.5, groups["visual.transformer.resblocks.2.attn.in_proj_weight"].Lr, 1e-15);
        Assert.Equal(Lr, groups["visual.proj"].Lr, 1e-15);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void DecayOutsideZeroToOneIsAnError(double decay)
    {
        Assert.Contains("layer_decay", Assert.Throws<ClipSharpException>(() => LayerDecay.FromRecipe(new OptimRecipe { LayerDecay = decay })).Message);
        Assert.Contains("image_layer_decay", Assert.Throws<ClipSharpException>(() => LayerDecay.FromRecipe(new OptimRecipe { ImageLayerDecay = decay })).Message);
    }

    [Fact]
    public void RecipeKeysAreSnakeCase()
    {
        var r = RecipeReader.Parse("""{"optim": {"layer_decay": 0.75, "text_layer_decay": 0.6}, "lock": {"image": true, "image_unlocked_groups": 2, "image_freeze_bn_stats": true, "text": true, "text_unlocked_layers": 1, "text_freeze_layer_norm": false}}""", "test");
        Assert.Equal((0.75, 0.6), LayerDecay.FromRecipe(r.Optim));
        Assert.Equal(new LockRecipe { Image = true, ImageUnlockedGroups = 2, ImageFreezeBnStats = true, Text = true, TextUnlockedLayers = 1, TextFreezeLayerNorm = false }, r.Lock);
        Assert.Contains("lock.image_unlocked_group", Assert.Throws<ClipSharpException>(() => RecipeReader.Parse("""{"lock": {"image_unlocked_group": 1}}""", "test")).Message);
    }

    [Fact]
    public void TheShippedFineTuningRecipeLocksTheImageTowerAndDecaysTheText()
    {
        var r = RecipeReader.Read("finetune-world");
        Assert.Equal(new LockRecipe { Image = true, ImageUnlockedGroups = 2 }, r.Lock);
        Assert.Equal((null, 0.75), LayerDecay.FromRecipe(r.Optim));
        Assert.Equal(r.Model, r.Pretrained);
    }
}
