using System.Text.Json;
using ClipSharp.Checkpoints;
using ClipSharp.Tests.Support;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Checkpoints;

/// <summary>
/// Architecture inference and config matching, checked against every OpenCLIP/CLIPS key list in
/// ../shared/fixtures/openclip/state_dicts (shapes from open_clip itself); a new list dropped in is checked too.
/// </summary>
public class ArchitectureGuessTests
{
    private static string StateDicts => Path.Combine(TestPaths.Fixtures, "openclip", "state_dicts");

    public static TheoryData<string> KeyLists()
    {
        var data = new TheoryData<string>();
        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(StateDicts, "index.json")));
        foreach (var m in index.RootElement.GetProperty("models").EnumerateObject()) data.Add(m.Name);
        return data;
    }

    private static (List<TensorSpec> Specs, JsonElement Root) LoadKeyList(string name)
    {
        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(StateDicts, "index.json")));
        var file = index.RootElement.GetProperty("models").GetProperty(name).GetProperty("file").GetString()!;
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(StateDicts, file)));
        var specs = doc.RootElement.GetProperty("state_dict").EnumerateObject()
            .Select(p => new TensorSpec(p.Name, ScalarType.Float32, p.Value.EnumerateArray().Select(x => x.GetInt64()).ToArray())).ToList();
        return (specs, doc.RootElement.Clone());
    }

    [SharedTheory]
    [MemberData(nameof(KeyLists))]
    public void EveryPublishedConfigIsRecognisedFromItsKeysAndShapes(string name)
    {
        var (specs, root) = LoadKeyList(name);
        var arch = ArchitectureGuess.FromTensors(specs);
        var dir = TestPaths.NewTempDir();
        File.WriteAllText(Path.Combine(dir, $"{name}.json"), root.GetProperty("config").GetRawText());
        var match = Assert.Single(ModelConfigMatcher.Compare(arch, ModelConfigMatcher.JsonFilesIn([dir])));
        Assert.True(match.IsMatch, $"{name}: {string.Join("; ", match.Differences)}");
        Assert.Equal(root.GetProperty("num_parameters").GetInt64(), specs.Sum(s => s.NumElements));
        var cfg = root.GetProperty("config");
        if (cfg.TryGetProperty("model_cfg", out var inner)) cfg = inner;
        Assert.Equal(cfg.TryGetProperty("multimodal_cfg", out _), arch.Decoder?.Kind == "coca");
        bool noLnPre = cfg.GetProperty("vision_cfg").TryGetProperty("no_ln_pre", out var n) && n.GetBoolean();
        Assert.Equal(!noLnPre, arch.Vision!.HasLnPre);
    }

    [SharedFact]
    public void DifferencesAreListedAndDefaultsApplyToAbsentKeys()
    {
        var (specs, _) = LoadKeyList("ViT-B-32");
        var arch = ArchitectureGuess.FromTensors(specs);
        var dir = TestPaths.NewTempDir();
        // ViT-B-32 with every default spelled out implicitly: width 768 / 512, 12 layers, image 224, context 77, vocab 49408
        File.WriteAllText(Path.Combine(dir, "defaults.json"), """{"embed_dim": 512, "vision_cfg": {"patch_size": 32}, "text_cfg": {}}""");
        File.WriteAllText(Path.Combine(dir, "b16.json"), """{"embed_dim": 512, "vision_cfg": {"patch_size": 16}, "text_cfg": {"layers": 6}}""");
        File.WriteAllText(Path.Combine(dir, "rn50.json"), """{"embed_dim": 1024, "vision_cfg": {"layers": [3, 4, 6, 3], "width": 64}, "text_cfg": {}}""");
        File.WriteAllText(Path.Combine(dir, "not-a-config.json"), """{"hello": 1}""");
        File.WriteAllText(Path.Combine(dir, "broken.json"), """{"embed_dim": """);
        var results = ModelConfigMatcher.Compare(arch, ModelConfigMatcher.JsonFilesIn([dir]));
        Assert.Equal(["defaults", "b16", "rn50"], results.Select(r => r.Name));   // fewest differences first
        Assert.True(results[0].IsMatch);
        Assert.Equal(["vision_cfg.patch_size: config 16, checkpoint 32", "text_cfg.layers: config 6, checkpoint 12"], results[1].Differences);
        Assert.Contains("vision_cfg.layers: config [3, 4, 6, 3], checkpoint a ViT", results[2].Differences);   // a ResNet config is compared, never matched
    }

    [Fact]
    public void FindsTheClipsDecoderAndLearnableQueries()
    {
        var specs = new List<TensorSpec>
        {
            new("text_decoder.resblocks.0.ln_1.weight", ScalarType.Float32, [512]),
            new("text_decoder.resblocks.11.ln_1.weight", ScalarType.Float32, [512]),
            new("text_decoder.queries", ScalarType.Float32, [128, 512]),
        };
        var d = ArchitectureGuess.FromTensors(specs).Decoder!;
        Assert.Equal(("clips", 512, 12, 128), (d.Kind, d.Width, d.Layers, d.NumLearnableTokens));
    }

    [SharedFact]
    public void SummarisesTheTinyFixtureAndMatchesTheConfigBesideIt()
    {
        var weights = Path.Combine(TestPaths.Fixtures, "openclip", "models", "oc-tiny-vit-a", "weights.safetensors");
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Fixtures, "openclip", "manifest.json")));
        var entry = manifest.RootElement.GetProperty("models").EnumerateArray().First(m => m.GetProperty("name").GetString() == "oc-tiny-vit-a");
        var s = CheckpointSummary.Inspect(weights);
        Assert.Equal(CheckpointFormat.SafeTensors, s.Format);
        Assert.Equal(entry.GetProperty("n_params").GetInt64(), s.ParameterCount);
        Assert.Equal("oc-tiny-vit-a", Assert.Single(s.Matches).Name);
        Assert.Equal((64, 2, 16, 64), (s.Architecture.Vision!.Width, s.Architecture.Vision.Layers, s.Architecture.Vision.PatchSize, s.Architecture.Vision.ImageSize));
        Assert.Equal((32, 2, 77, 49408), (s.Architecture.Text!.Width, s.Architecture.Text.Layers, s.Architecture.Text.ContextLength, s.Architecture.Text.VocabSize));
    }
}
