using System.Text.Json;
using ClipSharp.Core;
using ClipSharp.Data;
using ClipSharp.Evaluation;
using ClipSharp.Scenes;
using ClipSharp.Scenes.Mentions;
using ClipSharp.Tests.Support;

namespace ClipSharp.Tests.Evaluation;

/// <summary>What a caption states, read from its mention record, and recall broken down by it (model and oracle).</summary>
public class RetrievalBreakdownTests
{
    private static IReadOnlySet<string> Of(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return CaptionStatements.Of(doc.RootElement, "caption 7");
    }

    [Fact]
    public void StatementsAreReadFromTheMentionRecord()
    {
        Assert.Equal(["background", "position"], Of("""{"objects":[{"shape":"star","colour":"red","cell":4}],"background":{"colour":"white"}}""").Order());
        Assert.Empty(Of("""{"objects":[{"shape":"star","colour":"red"}]}"""));
        Assert.Equal(["count", "pattern", "relation", "second_object", "size"],
            Of("""{"objects":[{"shape":"star","colour":"red","size":"large","pattern":"striped"},{"shape":"heart"}],"count":3,"relation":"left_of"}""").Order());
        var e = Assert.Throws<ClipSharpException>(() => Of("""{"background":{"colour":"white"}}"""));
        Assert.Contains("caption 7", e.Message);
    }

    [Fact]
    public void RecallIsSplitByWhetherTheCaptionMakesTheStatement()
    {
        IReadOnlySet<string> bg = new HashSet<string> { "background" }, none = new HashSet<string>();
        // ranks 0, 3, 12 state the background; 1 and 20 do not.
        var rows = RetrievalBreakdown.ByStatement([0, 1, 3, 20, 12], [bg, none, bg, none, bg], [1, 10]);
        var row = rows.Single(r => r.Statement == "background");
        Assert.Equal((3, 2), (row.Stating, row.Omitting));
        Assert.Equal(1 / 3.0, row.StatingRecall[1], 12);
        Assert.Equal(2 / 3.0, row.StatingRecall[10], 12);
        Assert.Equal(0.0, row.OmittingRecall[1], 12);
        Assert.Equal(0.5, row.OmittingRecall[10], 12);
        var size = rows.Single(r => r.Statement == "size");
        Assert.Equal((0, 5), (size.Stating, size.Omitting));
        Assert.Empty(size.StatingRecall);
        var flat = RetrievalBreakdown.ToDictionary(rows);
        Assert.Equal(0.5, flat["omits_background/image_retrieval_recall@10"], 12);
        Assert.Equal(3, flat["states_background/captions"]);
        Assert.DoesNotContain("states_size/image_retrieval_recall@1", flat.Keys);
        Assert.Throws<ClipSharpException>(() => RetrievalBreakdown.ByStatement([0, 1], [bg], [1]));
    }

    [Fact]
    public void AWorldsEvalFilesCarryStatementsAndTheOracleSplitsByThem()
    {
        var dir = TestPaths.NewTempDir("stmtworld");
        WorldGenerator.Generate(new WorldGenerationOptions(dir, Train: 0, Eval: 40, Bags: 0, Threads: 2));
        var oracle = WorldOracle.Read(dir);
        foreach (var file in new[] { WorldEvalFiles.EvalFile, WorldEvalFiles.HeldOutEvalFile })
        {
            var data = RetrievalDataset.FromKarpathyJson(Path.Combine(dir, file), Path.Combine(dir, "eval"));
            var states = Assert.IsAssignableFrom<IReadOnlyList<IReadOnlySet<string>>>(data.CaptionStates);
            var o = oracle[file];
            // The statements read back from the file agree with the shares the generator computed from its own mentions.
            foreach (var s in new[] { "size", "pattern", "position", "background" })
                Assert.Equal(o[$"states_{s}"], Math.Round(states.Count(x => x.Contains(s)) / (double)states.Count, 4), 6);
            // Each statement splits the captions in two; the two groups' ceilings average back to the whole set's.
            foreach (var s in CaptionStatements.All)
            {
                int n = states.Count(x => x.Contains(s)), m = states.Count - n;
                double Get(string key) => o.TryGetValue(key, out var v) ? v : 0;
                var whole = (n * Get($"states_{s}/image_retrieval_recall@1") + m * Get($"omits_{s}/image_retrieval_recall@1")) / states.Count;
                Assert.Equal(o["image_retrieval_recall@1"], whole, 4);
                Assert.Equal(n > 0, o.ContainsKey($"states_{s}/image_retrieval_recall@10"));
            }
        }
    }

    [Fact]
    public void TheSplitCeilingEqualsTheOracleOverThoseCaptionsAlone()
    {
        var world = new WorldSamples(WorldConfig.Default, 5);
        var evals = Enumerable.Range(0, 30).Select(i => world.Eval(i)).ToList();
        var scenes = evals.Select(e => e.Scene).ToList();
        var flat = evals.SelectMany((e, i) => e.HeldOut.Select(c => new OracleCaption(i, c.Mention))).ToList();
        var fitting = MentionOracle.FittingImages(scenes, flat);
        var withPosition = flat.Where(c => c.Mention.Objects[0].Cell is not null).ToList();
        var want = MentionOracle.Retrieval(scenes, withPosition, [1, 10]);
        var idx = Enumerable.Range(0, flat.Count).Where(i => flat[i].Mention.Objects[0].Cell is not null).ToList();
        Assert.NotEmpty(idx);
        Assert.Equal(want["image_retrieval_recall@1"], idx.Average(i => MentionOracle.TextToImageRecall(fitting[i], 1)), 12);
        Assert.Equal(want["image_retrieval_recall@10"], idx.Average(i => MentionOracle.TextToImageRecall(fitting[i], 10)), 12);
    }
}
