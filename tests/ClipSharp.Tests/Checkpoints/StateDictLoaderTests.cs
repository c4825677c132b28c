using ClipSharp.Checkpoints;
using ClipSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Checkpoints;

public class StateDictLoaderTests
{
    private sealed class Tiny : nn.Module
    {
        public readonly TorchSharp.Modules.Linear fc = nn.Linear(3, 2);
        public readonly TorchSharp.Modules.LayerNorm ln = nn.LayerNorm(2);

        public Tiny() : base("Tiny")
        {
            register_buffer("steps", zeros(1, dtype: ScalarType.Int64));
            RegisterComponents();
        }
    }

    private static Dictionary<string, Tensor> Matching() => new()
    {
        ["fc.weight"] = arange(6, dtype: ScalarType.Float16).reshape(2, 3),
        ["fc.bias"] = tensor(new[] { 0.5f, -0.5f }, dtype: ScalarType.Float64),
        ["ln.weight"] = full(2, 2f), ["ln.bias"] = zeros(2),
        ["steps"] = tensor(new long[] { 7 }),
    };

    [Fact]
    public void CopiesIntoParametersAndBuffersConvertingDTypes()
    {
        var m = new Tiny();
        var report = StateDictLoader.Load(m, Matching());
        Assert.True(report.IsExact);
        Assert.Equal(5, report.Loaded.Count);
        Assert.Equal(ScalarType.Float32, m.fc.weight!.dtype);
        Assert.True(m.fc.weight.eq(arange(6f).reshape(2, 3)).all().item<bool>());
        Assert.Equal(-0.5f, m.fc.bias![1].item<float>());
        Assert.Equal(7L, m.state_dict()["steps"].item<long>());
        Assert.True(m.fc.weight.requires_grad);
        // the module computes with the loaded values
        var y = m.fc.forward(ones(1, 3));
        Assert.Equal(3.5f, y[0, 0].item<float>(), 5);
    }

    [Fact]
    public void StrictModeListsEveryMissingUnexpectedAndMisShapedKeyInOneError()
    {
        var sd = Matching();
        sd.Remove("ln.bias");
        sd.Remove("steps");
        sd["fc.weight"] = zeros(3, 3);
        sd["extra.a"] = zeros(4);
        sd["extra.b"] = zeros(5, 6);
        var m = new Tiny();
        var before = m.fc.bias!.clone();
        var e = Assert.Throws<ClipSharpException>(() => StateDictLoader.Load(m, sd, source: "ckpt.bin"));
        Assert.StartsWith("ckpt.bin does not match Tiny:", e.Message);
        Assert.Contains("2 missing key(s) [ln.bias [2], steps [1]]", e.Message);
        Assert.True(e.Message.Contains("2 unexpected key(s) [extra.a [4], extra.b [5, 6]]"), e.Message);
        Assert.Contains("1 mis-shaped key(s) [fc.weight (model [2, 3], checkpoint [3, 3])]", e.Message);
        Assert.True(m.fc.bias.eq(before).all().item<bool>(), "nothing may be copied when strict loading fails");
    }

    [Fact]
    public void LongListsAreCutAfterTwentyWithACount()
    {
        var sd = Matching();
        for (int i = 0; i < 25; i++) sd[$"junk.{i:D2}"] = zeros(1);
        var e = Assert.Throws<ClipSharpException>(() => StateDictLoader.Load(new Tiny(), sd));
        Assert.Contains("25 unexpected key(s)", e.Message);
        Assert.Contains("junk.19 [1], ... and 5 more]", e.Message);
        Assert.DoesNotContain("junk.20", e.Message);
    }

    [Fact]
    public void NonStrictSkipsMissingAndUnexpectedButNotShapeMismatches()
    {
        var sd = Matching();
        sd.Remove("ln.bias");
        sd["other"] = zeros(1);
        var report = StateDictLoader.Load(new Tiny(), sd, strict: false);
        Assert.Equal(["ln.bias"], report.Missing.Select(x => x.Name));
        Assert.Equal(["other"], report.Unexpected.Select(x => x.Name));
        sd["fc.bias"] = zeros(5);
        Assert.Throws<ClipSharpException>(() => StateDictLoader.Load(new Tiny(), sd, strict: false));
    }

    [Fact]
    public void LoadsATorchZipCheckpointEndToEnd()
    {
        var src = Matching();
        var od = new PyOrderedDict();
        int k = 0;
        foreach (var (name, t) in src) od.Add(("module." + name, PyTensor.Of(t, (k++).ToString())));
        var path = Path.Combine(Support.TestPaths.NewTempDir(), "open_clip_pytorch_model.bin");
        TorchSaveWriter.SaveZip(path, new Dictionary<object, object?> { ["epoch"] = 1L, ["state_dict"] = od });
        using var sd = CheckpointReader.Read(path);
        Assert.Equal("state_dict", sd.Metadata["nested_key"]);
        var m = new Tiny();
        Assert.True(StateDictLoader.Load(m, sd, source: path).IsExact);
        Assert.Equal(2f, m.ln.weight![0].item<float>());
    }
}
