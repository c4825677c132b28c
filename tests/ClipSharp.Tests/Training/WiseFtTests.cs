using System.Text.Json.Nodes;
using ClipSharp.Checkpoints;
using ClipSharp.Core;
using ClipSharp.Inference;
using ClipSharp.Tests.Cli;
using ClipSharp.Tests.Support;
using ClipSharp.Training.Finetuning;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Training;

/// <summary>WiSE-FT: θ = (1 − α)·A + α·B, exact at the ends, the mean at ½, loud about mismatches; files and the command.</summary>
[Collection("Console")]
public class WiseFtTests
{
    private static Dictionary<string, Tensor> Dict(long seed)
    {
        manual_seed(seed);
        return new Dictionary<string, Tensor>
        {
            ["visual.proj"] = randn(8, 4), ["ln_final.weight"] = randn(4).mul(1e3), ["tiny"] = randn(3).mul(1e-30),
            ["half"] = randn(5).to(ScalarType.Float16), ["ids"] = arange(6L),
        };
    }

    private static bool Same(Tensor a, Tensor b) => a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Fact]
    public void AlphaZeroIsTheZeroShotModelAlphaOneTheFineTunedAndAHalfTheMean()
    {
        var (a, b) = (Dict(1), Dict(2));
        a["visual.proj"][0, 0] = tensor(float.PositiveInfinity);          // α = 0 must copy, not compute 1·a + 0·b
        foreach (var (k, t) in WiseFt.Interpolate(a, b, 0)) Assert.True(Same(a[k], t), k);
        foreach (var (k, t) in WiseFt.Interpolate(a, b, 1)) Assert.True(Same(b[k], t), k);
        a = Dict(1);
        var half = WiseFt.Interpolate(a, b, 0.5);
        foreach (var k in new[] { "visual.proj", "ln_final.weight", "tiny" }) Assert.True(Same((a[k] + b[k]) / 2, half[k]), k);
        Assert.True(Same(((a["half"].to(ScalarType.Float32) + b["half"].to(ScalarType.Float32)) / 2).to(ScalarType.Float16), half["half"]));
        Assert.True(Same(a["ids"], half["ids"]));
        var quarter = WiseFt.Interpolate(a, b, 0.25);
        Assert.True(quarter["visual.proj"].allclose(a["visual.proj"] * 0.75 + b["visual.proj"] * 0.25, 1e-6, 1e-6));
        Assert.False(Same(quarter["visual.proj"], half["visual.proj"]));
    }

    [Fact]
    public void MismatchedCheckpointsAreErrorsNamingTheKey()
    {
        var a = Dict(1);
        var b = Dict(2);
        b.Remove("ln_final.weight");
        var e = Assert.Throws<ClipSharpException>(() => WiseFt.Interpolate(a, b, 0.5, "A", "B"));
        Assert.Contains("'ln_final.weight' is in A but not in B", e.Message);
        b = Dict(2);
        b["extra.bias"] = zeros(2);
        Assert.Contains("'extra.bias' is in B but not in A", Assert.Throws<ClipSharpException>(() => WiseFt.Interpolate(a, b, 0.5, "A", "B")).Message);
        b = Dict(2);
        b["visual.proj"] = randn(8, 5);
        Assert.Contains("'visual.proj' has shape [8, 4] in A but [8, 5] in B", Assert.Throws<ClipSharpException>(() => WiseFt.Interpolate(a, b, 0.5, "A", "B")).Message);
        b = Dict(2);
        b["ids"] = arange(6L).flip(0);
        Assert.Contains("'ids'", Assert.Throws<ClipSharpException>(() => WiseFt.Interpolate(a, b, 0.5, "A", "B")).Message);
    }

    [Fact]
    public void TheMixIsALoadableModelFolderOrSafetensorsAndDifferentConfigsAreRefused()
    {
        var dir = TestPaths.NewTempDir("wiseft");
        var config = FineTuneTrainingTests.TwoBlockConfig();
        var zs = FineTuneTrainingTests.ModelFolder(Path.Combine(dir, "zs"), config, seed: 1, torchBin: true);
        var ft = FineTuneTrainingTests.ModelFolder(Path.Combine(dir, "ft"), config, seed: 2, torchBin: false);
        var res = WiseFtFiles.Run(new WiseFtOptions { ZeroShot = zs, FineTuned = ft, Alpha = 0.5, Output = Path.Combine(dir, "mix") });
        Assert.Equal(ft, res.ConfigFolder);
        var bundle = ModelLoader.FromDirectory(res.Output);
        using (bundle.Model)
        using (var a = CheckpointReader.Read(HfModelDirectory.Open(zs).WeightsPath))
        using (var b = CheckpointReader.Read(HfModelDirectory.Open(ft).WeightsPath))
        {
            foreach (var (k, t) in bundle.Model.state_dict()) Assert.True(Same((a[k] + b[k]) / 2, t), k);
        }
        Assert.Contains("already exists", Assert.Throws<ClipSharpException>(() =>
            WiseFtFiles.Run(new WiseFtOptions { ZeroShot = zs, FineTuned = ft, Output = Path.Combine(dir, "mix") })).Message);
        var file = WiseFtFiles.Run(new WiseFtOptions { ZeroShot = zs, FineTuned = ft, Alpha = 1, Output = Path.Combine(dir, "mix.safetensors") });
        using (var mixed = CheckpointReader.Read(file.WeightsPath))
        using (var b = CheckpointReader.Read(HfModelDirectory.Open(ft).WeightsPath))
        {
            Assert.Equal("1", mixed.Metadata["wise_ft_alpha"]);
            foreach (var (k, t) in b) Assert.True(Same(t, mixed[k]), k);
        }
        var other = JsonNode.Parse(config)!;
        other["quick_gelu"] = true;
        var odd = FineTuneTrainingTests.ModelFolder(Path.Combine(dir, "odd"), other.ToJsonString(), seed: 3, torchBin: false);
        var e = Assert.Throws<ClipSharpException>(() => WiseFtFiles.Run(new WiseFtOptions { ZeroShot = zs, FineTuned = odd, Output = Path.Combine(dir, "x") }));
        Assert.Contains("QuickGelu", e.Message);
    }

    [Fact]
    public void TheCommandWritesTheMixAndEvaluatesAllThree()
    {
        var dir = TestPaths.NewTempDir("wiseft-cli");
        var config = FineTuneTrainingTests.TwoBlockConfig();
        var zs = FineTuneTrainingTests.ModelFolder(Path.Combine(dir, "zs"), config, seed: 4, torchBin: false);
        var ft = FineTuneTrainingTests.ModelFolder(Path.Combine(dir, "ft"), config, seed: 5, torchBin: false);
        var mix = Path.Combine(dir, "mix");
        var (code, output, err) = CliTests.Run("wise-ft", "--zero-shot", zs, "--fine-tuned", ft, "--alpha", "0.3", "--out", mix, "--world", TrainingWorld.World);
        Assert.True(code == 0, err + output);
        Assert.Contains("α = 0.3", output);
        Assert.Contains("zero-shot", output);
        Assert.Contains("wise-ft α=0.3", output);
        Assert.Contains("fine-tuned", output);
        Assert.True(File.Exists(Path.Combine(mix, "wise_ft.json")));
        var (code2, _, err2) = CliTests.Run("wise-ft", "--zero-shot", zs, "--fine-tuned", Path.Combine(dir, "nothing"), "--out", Path.Combine(dir, "m2"));
        Assert.NotEqual(0, code2);
        Assert.Contains("nothing", err2);
    }
}
