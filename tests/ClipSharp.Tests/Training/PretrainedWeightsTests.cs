using ClipSharp.Checkpoints;
using ClipSharp.Core;
using ClipSharp.Modeling;
using ClipSharp.Tests.Support;
using ClipSharp.Training.Finetuning;
using ClipSharp.Training.Runs;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Training;

/// <summary>recipe.pretrained: files and model folders, strict, with the CLIPS captioner allowances.</summary>
public class PretrainedWeightsTests
{
    private static ModelConfig Clips => ModelFactory.LoadConfig("test-clips-tiny").Model;

    private static string Save(string dir, nn.Module m, string name)
    {
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        var sd = RunDirectory.StateDict(m);
        SafeTensorsWriter.Save(path, sd);
        return path;
    }

    private static bool SameWeights(nn.Module a, nn.Module b, Func<string, bool> which) =>
        a.state_dict().Where(kv => which(kv.Key)).All(kv => kv.Value.eq(b.state_dict()[kv.Key]).all().item<bool>());

    [Fact]
    public void ACaptionerStartsFromReleasedEncoderWeightsWithItsOwnDecoderInit()
    {
        var dir = TestPaths.NewTempDir("pretrained");
        using var encoders = ModelFactory.Create(Clips with { Decoder = null });
        Save(Path.Combine(dir, "hub"), encoders, "open_clip_model.safetensors");
        using var captioner = ModelFactory.Create(Clips);
        var init = RunDirectory.StateDict(captioner);                   // its own initialisation, before loading
        var line = PretrainedWeights.Load(captioner, Path.Combine(dir, "hub"));
        Assert.Contains("captioner (text_decoder.*) starts from its initialisation", line);
        Assert.True(SameWeights(captioner, encoders, k => !k.StartsWith("text_decoder.", StringComparison.Ordinal)));
        Assert.All(captioner.state_dict().Where(kv => kv.Key.StartsWith("text_decoder.", StringComparison.Ordinal)),
            kv => Assert.True(kv.Value.eq(init[kv.Key]).all().item<bool>(), kv.Key));
        Assert.False(captioner.state_dict()["visual.proj"].eq(init["visual.proj"]).all().item<bool>());

        // and back: a captioner checkpoint into the encoders, the decoder dropped
        var file = Save(dir, captioner, "captioner.safetensors");
        using var clip = ModelFactory.Create(Clips with { Decoder = null });
        Assert.Contains("is not used", PretrainedWeights.Load(clip, file));
        Assert.True(SameWeights(clip, captioner, _ => true));
    }

    [Fact]
    public void AnythingElseMissingOrMisShapedIsAStrictError()
    {
        var dir = TestPaths.NewTempDir("pretrained-bad");
        using var other = ModelFactory.Create(Clips with { Decoder = null, EmbedDim = 32 });
        var file = Save(dir, other, "other.safetensors");
        using var model = ModelFactory.Create(Clips);
        Assert.Contains("mis-shaped", Assert.Throws<ClipSharpException>(() => PretrainedWeights.Load(model, file)).Message);
        Assert.Contains("no such file or model folder", Assert.Throws<ClipSharpException>(() => PretrainedWeights.Load(model, Path.Combine(dir, "none"))).Message);
    }

    // Weights written by OpenCLIP and by the CLIPS reference (../shared/fixtures), laid out as a Hub folder.
    [SharedTheory]
    [InlineData("openclip/models/oc-tiny-vit-a", "oc-tiny-vit-a.json", false)]
    [InlineData("clips/clips-tiny-a", "clips-tiny-a.json", true)]
    public void ReferenceWeightsLoadFromAHubFolder(string fixture, string config, bool captioner)
    {
        var src = Path.Combine(TestPaths.Fixtures, fixture);
        var hub = Path.Combine(TestPaths.NewTempDir("pretrained-hub"), "hub");
        Directory.CreateDirectory(hub);
        File.WriteAllText(Path.Combine(hub, HfModelDirectory.ConfigName), $"{{\"model_cfg\": {File.ReadAllText(Path.Combine(src, config))}}}");
        File.Copy(Path.Combine(src, "weights.safetensors"), Path.Combine(hub, "open_clip_model.safetensors"));
        using var model = ModelFactory.Create(ModelFactory.LoadConfig(hub).Model);
        Assert.Equal(captioner, model is ClipsModel);
        Assert.DoesNotContain("text_decoder", PretrainedWeights.Load(model, hub));
        using var reference = CheckpointReader.Read(Path.Combine(src, "weights.safetensors"));
        Assert.All(model.state_dict(), kv => Assert.True(kv.Value.eq(reference[kv.Key].to(kv.Value.dtype)).all().item<bool>(), kv.Key));
        if (!captioner) return;
        using var encoders = ModelFactory.Create(ModelFactory.LoadConfig(hub).Model with { Decoder = null });
        Assert.Contains("is not used", PretrainedWeights.Load(encoders, hub));           // the released-encoders shape
    }
}
