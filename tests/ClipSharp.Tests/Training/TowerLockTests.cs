using ClipSharp.Core;
using ClipSharp.Modeling;
using ClipSharp.Training.Finetuning;
using ClipSharp.Training.Recipes;

namespace ClipSharp.Tests.Training;

/// <summary>
/// Which parameters stay trainable for lock.* with N unlocked groups, against OpenCLIP's grouping written out by hand
/// from open_clip main (89fb801) src/open_clip/transformer.py: VisionTransformer.layer_groups = [conv1, class_embedding,
/// positional_embedding, ln_pre], each resblock (the last with ln_post), proj; _text_layer_groups = [token_embedding,
/// positional_embedding, cls_emb], each resblock (the last with ln_final), text_projection; lock freezes the first
/// len − N groups (N = 0: all).
/// </summary>
public class TowerLockTests
{
    // A CLIP with 3 blocks per tower (and ln_pre), so N = 0..6 are all different.
    internal static ModelConfig Clip3 => new()
    {
        Name = "clip3", EmbedDim = 16,
        Vision = new VisionConfig { ImageSize = 16, PatchSize = 8, Width = 16, HeadWidth = 8, Layers = 3 },
        Text = new TextConfig { ContextLength = 8, VocabSize = 32, Width = 16, Heads = 2, Layers = 3 },
    };

    // OpenCLIP's groups, input → output, as name prefixes.
    private static readonly string[][] ImageGroups =
    [
        ["visual.conv1.", "visual.class_embedding", "visual.positional_embedding", "visual.ln_pre."],
        ["visual.transformer.resblocks.0."], ["visual.transformer.resblocks.1."],
        ["visual.transformer.resblocks.2.", "visual.ln_post."], ["visual.proj"],
    ];

    private static readonly string[][] TextGroups =
    [
        ["token_embedding.", "positional_embedding"], ["transformer.resblocks.0."], ["transformer.resblocks.1."],
        ["transformer.resblocks.2.", "ln_final."], ["text_projection"],
    ];

    private static List<string> Names(ContrastiveModel m) => m.named_parameters().Select(p => p.name).ToList();

    private static List<string> Trainable(ContrastiveModel m) => m.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToList();

    // The expected trainable names: everything outside the locked tower, plus the tower's last n groups.
    private static List<string> Expected(ContrastiveModel m, string[][] groups, int n, Func<string, bool> inTower) =>
        Names(m).Where(name => !inTower(name) || groups.TakeLast(n).SelectMany(g => g).Any(name.StartsWith)).ToList();

    [Theory]
    [InlineData(0)] [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)] [InlineData(5)] [InlineData(9)]
    public void ImageTowerKeepsItsLastNGroupsTrainable(int n)
    {
        using var m = ModelFactory.Create(Clip3);
        TowerLock.Apply(m, new LockRecipe { Image = true, ImageUnlockedGroups = n });
        var expected = Expected(m, ImageGroups, n, name => name.StartsWith("visual.", StringComparison.Ordinal));
        Assert.Equal(expected, Trainable(m));
        Assert.Equal(Names(m).Count(name => !name.StartsWith("visual.", StringComparison.Ordinal)), Trainable(m).Count(name => !name.StartsWith("visual.", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(0)] [InlineData(1)] [InlineData(2)] [InlineData(4)] [InlineData(5)] [InlineData(6)]
    public void TextTowerKeepsItsLastNGroupsTrainable(int n)
    {
        using var m = ModelFactory.Create(Clip3);
        TowerLock.Apply(m, new LockRecipe { Text = true, TextUnlockedLayers = n });
        var expected = Expected(m, TextGroups, n, name => !name.StartsWith("visual.", StringComparison.Ordinal) && name != "logit_scale");
        Assert.Equal(expected, Trainable(m));
        Assert.Contains("logit_scale", Trainable(m));
        Assert.Contains("visual.conv1.weight", Trainable(m));
    }

    [Fact]
    public void GroupNamesAndMembersFollowOpenClip()
    {
        using var m = ModelFactory.Create(Clip3);
        var image = TowerLayerGroups.Of(m, Tower.Image);
        Assert.Equal(["embeddings", "layer.0", "layer.1", "layer.2", "proj"], image.Groups.Select(g => g.Name));
        Assert.Equal(new[] { "visual.conv1.weight", "visual.class_embedding", "visual.positional_embedding", "visual.ln_pre.weight", "visual.ln_pre.bias" }.Order(),
            image.Groups[0].Parameters.Order());
        Assert.Contains("visual.ln_post.weight", image.Groups[3].Parameters);
        Assert.Empty(image.Ungrouped);
        var text = TowerLayerGroups.Of(m, Tower.Text);
        Assert.Equal(new[] { "token_embedding.weight", "positional_embedding" }.Order(), text.Groups[0].Parameters.Order());
        Assert.Equal(["text_projection"], text.Groups[^1].Parameters);
        Assert.DoesNotContain(text.AllParameters, n => n.StartsWith("visual.", StringComparison.Ordinal) || n == "logit_scale");
        Assert.Equal(Names(m).Count - 1, image.AllParameters.Count() + text.AllParameters.Count()); // all but logit_scale
    }

    [Fact]
    public void CoCaTowersSitUnderVisualAndTextAndTheAttentionalPoolerIsFrozenWithTheImageTower()
    {
        using var m = ModelFactory.Create(ModelFactory.LoadConfig("test-coca-tiny").Model);
        var text = TowerLayerGroups.Of(m, Tower.Text);
        Assert.Equal(new[] { "text.token_embedding.weight", "text.positional_embedding", "text.cls_emb" }.Order(), text.Groups[0].Parameters.Order());
        Assert.Contains("text.ln_final.weight", text.Groups[^2].Parameters);
        Assert.Contains(TowerLayerGroups.Of(m, Tower.Image).Ungrouped, n => n.StartsWith("visual.attn_pool.", StringComparison.Ordinal));
        TowerLock.Apply(m, new LockRecipe { Image = true, ImageUnlockedGroups = 99, Text = true, TextUnlockedLayers = 1 });
        var trainable = Trainable(m);
        Assert.DoesNotContain(trainable, n => n.StartsWith("visual.attn_pool.", StringComparison.Ordinal));     // OpenCLIP v3.3.0
        Assert.Contains("visual.conv1.weight", trainable);                                                     // 99 ≥ every group
        Assert.Contains("text.text_projection", trainable);
        Assert.DoesNotContain(trainable, n => n.StartsWith("text.transformer.", StringComparison.Ordinal));
        Assert.Contains(trainable, n => n.StartsWith("text_decoder.", StringComparison.Ordinal));               // the captioner is no tower
    }

    [Fact]
    public void ClipsCaptionerAndTemperatureStayTrainableWhenBothTowersAreLocked()
    {
        using var m = ModelFactory.Create(ModelFactory.LoadConfig("test-clips-tiny").Model);
        TowerLock.Apply(m, new LockRecipe { Image = true, Text = true });
        Assert.All(Trainable(m), n => Assert.True(n == "logit_scale" || n.StartsWith("text_decoder.", StringComparison.Ordinal), n));
        Assert.Contains("text_decoder.queries", Trainable(m));
    }

    [Fact]
    public void TextLockWithoutFreezingLayerNormKeepsEveryTextLayerNormTrainable()
    {
        using var m = ModelFactory.Create(Clip3);
        TowerLock.Apply(m, new LockRecipe { Text = true, TextUnlockedLayers = 1, TextFreezeLayerNorm = false });
        var textTrainable = Trainable(m).Where(n => !n.StartsWith("visual.", StringComparison.Ordinal) && n != "logit_scale").ToList();
        var norms = Names(m).Where(n => !n.StartsWith("visual.", StringComparison.Ordinal) && (n.Contains(".ln_") || n.StartsWith("ln_final.", StringComparison.Ordinal))).ToList();
        Assert.Equal(3 * 4 + 2, norms.Count);                                        // ln_1, ln_2 per block (weight, bias) + ln_final
        Assert.Equal(norms.Append("text_projection").Order(), textTrainable.Order());
    }

    [Fact]
    public void NegativeUnlockedCountsAreErrors()
    {
        using var m = ModelFactory.Create(Clip3);
        Assert.Contains("lock.image_unlocked_groups", Assert.Throws<ClipSharpException>(() => TowerLock.Apply(m, new LockRecipe { Image = true, ImageUnlockedGroups = -1 })).Message);
        Assert.Contains("lock.text_unlocked_layers", Assert.Throws<ClipSharpException>(() => TowerLock.Apply(m, new LockRecipe { Text = true, TextUnlockedLayers = -2 })).Message);
    }
}
