using System.Text.Json;
using ClipSharp.Core;
using ClipSharp.Modeling;
using ClipSharp.Tests.Support;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Modeling;

/// <summary>
/// Every config in configs/models builds with exactly OpenCLIP's state-dict keys, shapes and parameter count: the
/// project's own configs against the lists committed in tests/fixtures/openclip-keylists, OpenCLIP's and CLIPS's configs
/// against ../shared/fixtures/openclip/state_dicts (skipped with the reason where ../shared is missing).
/// </summary>
[Collection("GlobalTorchState")]
public class ModelStructureTests
{
    private static IEnumerable<string> ConfigNames() =>
        Directory.EnumerateFiles(Path.Combine(TestPaths.RepoRoot, "configs", "models"), "*.json").Order().Select(Path.GetFileNameWithoutExtension)!;

    /// <summary>The committed OpenCLIP key lists of the project's own configs (tests/fixture-gen/make_keylists.py).</summary>
    private static string CommittedList(string name) => Path.Combine(Fixtures.RepoFixtures, "openclip-keylists", name + ".json");

    private static string SharedList(string name) => Path.Combine(TestPaths.Fixtures, "openclip", "state_dicts", name + ".json");

    /// <summary>Configs whose OpenCLIP key list is committed in tests/fixtures/openclip-keylists.</summary>
    public static TheoryData<string> ConfigsWithCommittedLists() => new(ConfigNames().Where(n => File.Exists(CommittedList(n))));

    /// <summary>Every other config: its list must be in ../shared/fixtures/openclip/state_dicts.</summary>
    public static TheoryData<string> ConfigsWithSharedLists() => new(ConfigNames().Where(n => !File.Exists(CommittedList(n))));

    private static string ConfigPath(string name) => Path.Combine(TestPaths.RepoRoot, "configs", "models", name + ".json");

    [Theory]
    [MemberData(nameof(ConfigsWithCommittedLists))]
    public void StateDictKeysAndShapesEqualCommittedOpenClipList(string name) => AssertEqualsOpenClip(name, CommittedList(name));

    [Theory]
    [SharedMemberData(nameof(ConfigsWithSharedLists))]
    public void StateDictKeysAndShapesEqualOpenClip(string name) => AssertEqualsOpenClip(name, SharedList(name));

    [Fact]
    public void CommittedKeyListsRecordTheConfigTheyWereMadeFrom()
    {
        // a config edited after its list was generated must fail here until the list is regenerated
        foreach (var name in ConfigNames().Where(n => File.Exists(CommittedList(n))))
        {
            using var list = JsonDocument.Parse(File.ReadAllText(CommittedList(name)));
            using var config = JsonDocument.Parse(File.ReadAllText(ConfigPath(name)));
            Assert.True(JsonElement.DeepEquals(config.RootElement, list.RootElement.GetProperty("config")),
                $"{name}: configs/models/{name}.json differs from the config its key list was made from; rerun tests/fixture-gen/run.sh keylists");
        }
    }

    private static void AssertEqualsOpenClip(string name, string reference)
    {
        Assert.True(File.Exists(reference), $"{name}: no OpenCLIP key list at {reference} (generate one with tests/fixture-gen/run.sh keylists)");
        var cfg = ModelConfigReader.ReadFile(ConfigPath(name)).Model;
        // Built on the meta device: shapes without memory, so ViT-H builds in milliseconds.
        set_default_device(META);
        try
        {
            var model = ModelFactory.Create(cfg);
            var ours = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
            long count = model.parameters().Sum(p => p.NumberOfElements);
            using var doc = JsonDocument.Parse(File.ReadAllText(reference));
            var theirs = doc.RootElement.GetProperty("state_dict").EnumerateObject()
                .ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(d => d.GetInt64()).ToArray());
            var missing = theirs.Keys.Except(ours.Keys).ToList();
            var extra = ours.Keys.Except(theirs.Keys).ToList();
            var misshaped = theirs.Keys.Intersect(ours.Keys).Where(k => !theirs[k].SequenceEqual(ours[k]))
                .Select(k => $"{k}: ours [{string.Join(",", ours[k])}] vs [{string.Join(",", theirs[k])}]").ToList();
            Assert.True(missing.Count + extra.Count + misshaped.Count == 0,
                $"{name}: missing [{string.Join(", ", missing.Take(10))}] extra [{string.Join(", ", extra.Take(10))}] misshaped [{string.Join("; ", misshaped.Take(10))}]");
            Assert.Equal(doc.RootElement.GetProperty("num_parameters").GetInt64(), count);
        }
        finally { set_default_device(CPU); }
    }

    [Theory]
    [InlineData("test-clip-tiny")]
    [InlineData("test-coca-tiny")]
    [InlineData("test-clips-tiny")]
    public void EveryParameterGetsAFiniteGradient(string name)
    {
        var cfg = ModelConfigReader.ReadFile(ConfigPath(name)).Model;
        manual_seed(0);
        var model = ModelFactory.Create(cfg);
        var images = randn(2, 3, cfg.Vision.ImageSize, cfg.Vision.ImageSize);
        var ids = randint(1, 200, [2, cfg.Text.ContextLength]);
        Tensor loss = model switch
        {
            ClipsModel c => c.Forward(images, ids, ids.flip(0)) is var f ? f.CaptionLogits.mean() + f.ImageFeatures.matmul(f.WebFeatures.t()).sum() + f.PartialFeatures.sum() : null!,
            CoCaModel c => c.Forward(images, ids) is var f ? f.Logits.mean() + f.ImageFeatures.matmul(f.TextFeatures.t()).sum() : null!,
            _ => model.EncodeImage(images, true).matmul(model.EncodeText(ids, true).t()).sum(),
        };
        (loss * model.logit_scale.exp()).backward();
        var noGrad = model.named_parameters().Where(p => p.parameter.grad is null || !p.parameter.grad.isfinite().all().item<bool>()).Select(p => p.name).ToList();
        Assert.True(noGrad.Count == 0, $"{name}: no or non-finite gradient for [{string.Join(", ", noGrad)}]");
    }

    [Fact]
    public void UnknownConfigKeyIsAnErrorNamingKeyAndFile()
    {
        var e = Assert.Throws<ClipSharpException>(() => ModelConfigReader.Parse("""{"embed_dim": 8, "vision_cfg": {"widht": 64}}""", "my.json", "my"));
        Assert.Contains("my.json", e.Message);
        Assert.Contains("vision_cfg.widht", e.Message);
        var e2 = Assert.Throws<ClipSharpException>(() => ModelConfigReader.Parse("""{"embed_dim": "8"}""", "x.json", "x"));
        Assert.Contains("embed_dim", e2.Message);
        var e3 = Assert.Throws<ClipSharpException>(() => ModelConfigReader.Parse("""{"vision_cfg": {"qk_norm": true}}""", "x.json", "x"));
        Assert.Contains("does not support", e3.Message);
    }

    [Fact]
    public void EosPoolingWithoutAnEosIdIsAnError()
    {
        // OpenCLIP raises for it (no eos_id default on purpose); ClipSharp used to pool on id 2 silently
        var e = Assert.Throws<ClipSharpException>(() => ModelConfigReader.Parse("""{"text_cfg": {"pool_type": "eos"}}""", "x.json", "x"));
        Assert.Contains("eos_id", e.Message);
        Assert.Equal(49407, ModelConfigReader.Parse("""{"text_cfg": {"pool_type": "eos", "eos_id": 49407}}""", "x.json", "x").Model.Text.EosId);
    }

    [Fact]
    public void CoCaDecoderMlpRatioOtherThanOpenClipsFixedFourIsAnError()
    {
        // OpenCLIP reads multimodal_cfg.mlp_ratio but builds the decoder with 4 (a 2 would build a model no checkpoint fits)
        var e = Assert.Throws<ClipSharpException>(() => ModelConfigReader.Parse("""{"multimodal_cfg": {"mlp_ratio": 2.0}}""", "x.json", "x"));
        Assert.Contains("multimodal_cfg.mlp_ratio", e.Message);
        Assert.NotNull(ModelConfigReader.Parse("""{"multimodal_cfg": {"mlp_ratio": 4}}""", "x.json", "x").Model.Multimodal);
    }

    [Fact]
    public void BareAndHuggingFaceFormsReadTheSame()
    {
        // CLIPS ships its configs in the Hugging Face form; its model_cfg alone is the bare form.
        var wrapped = File.ReadAllText(ConfigPath("ViT-L-14-CLIPS-224"));
        using var doc = JsonDocument.Parse(wrapped);
        var bare = doc.RootElement.GetProperty("model_cfg").GetRawText();
        var a = ModelConfigReader.Parse(bare, "a", "n").Model;
        var b = ModelConfigReader.Parse(wrapped, "b", "n");
        Assert.Equal(a, b.Model with { });
        Assert.NotNull(b.PreprocessCfg);
        Assert.Equal(TextPool.Last, a.Text.Pool);
        Assert.True(a.Text.NoCausalMask && a.Text.GeluTanh && a.Vision.NoLnPre);
        Assert.Equal(1e-6, a.Vision.LayerNormEps);
    }
}

[CollectionDefinition("GlobalTorchState", DisableParallelization = true)]
public class GlobalTorchStateCollection;
