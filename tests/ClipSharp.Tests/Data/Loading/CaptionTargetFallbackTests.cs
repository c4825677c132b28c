using System.Text.Json;
using ClipSharp.Data;
using ClipSharp.Text;

namespace ClipSharp.Tests.Data.Loading;

/// <summary>
/// Decoder targets fall back to the web caption when the synthetic caption has no sentence (spec §2.2,
/// OpenVision's <c>key2_text = txt</c>), exactly as the partial view does; otherwise they are the synthetic caption.
/// </summary>
public sealed class CaptionTargetFallbackTests
{
    [Fact]
    public void TargetsOfASyntheticCaptionWithoutASentenceAreTheWebCaptions()
    {
        var world = TestWorld.ReadAll().OrderBy(kv => kv.Key, StringComparer.Ordinal).Take(4).ToList();
        var dir = Support.TestPaths.NewTempDir("clipsharp-target-fallback");
        var lines = new List<string>();
        var synthetic = new Dictionary<string, string>();
        for (int i = 0; i < world.Count; i++)
        {
            var (key, (web, synth, jpg)) = world[i];
            File.WriteAllBytes(Path.Combine(dir, key + ".jpg"), jpg);
            synthetic[key] = i % 2 == 0 ? "...!!." : synth; // no sentence: only delimiters
            lines.Add(JsonSerializer.Serialize(new Dictionary<string, string> { ["key"] = key, ["image"] = key + ".jpg", ["org_caption"] = web, ["re_caption"] = synthetic[key] }));
        }
        File.WriteAllLines(Path.Combine(dir, "m.jsonl"), lines);
        var options = TestWorld.Options(batch: 4, workers: 1) with
        {
            Sources = [new DataSourceSpec { Type = "jsonl", Path = Path.Combine(dir, "m.jsonl"), KeyField = "key" }],
            Captions = new CaptionViewOptions { Tokenizer = TestWorld.Tokenizer, Partial = new TokenReductionOptions(), TargetLength = 40 },
        };
        using var loader = new DataLoader(options);
        using var batch = loader.Batches().First();
        var rows = batch.Texts.Targets!.data<long>().ToArray();
        Assert.Equal(0, loader.BadSamples.Total);
        for (int i = 0; i < batch.Count; i++)
        {
            var key = batch.Keys[i];
            var web = world.Single(w => w.Key == key).Value.Web;
            var expectedText = synthetic[key] == "...!!." ? web : synthetic[key];
            var expected = CaptionTargets.For(TestWorld.Tokenizer, expectedText, 40).Targets;
            Assert.True(expected.AsSpan().SequenceEqual(rows.AsSpan(i * 40, 40)), $"{key}: targets are not those of '{expectedText}'");
        }
    }

    [Theory]
    [InlineData("A red cube. A blue ball!", "web", "A red cube. A blue ball!")]
    [InlineData("...", "web", "web")]
    [InlineData(".!.", "web", "web")]
    [InlineData(" . ", "web", " . ")] // whitespace-only parts are sentences (spec §2.2)
    [InlineData("...", null, "")]
    public void TargetTextFollowsTheSubCaptionFallback(string synthetic, string? web, string expected) =>
        Assert.Equal(expected, CaptionTargets.TargetText(synthetic, web));
}
