using ClipSharp.Scenes;

namespace ClipSharp.Tests.Scenes;

/// <summary>
/// Every attribute word an evaluation caption can use (bags, human style, held-out style) is taught by the training
/// captions (web alt-text or recaption): a text encoder cannot know a word it never read, so an eval caption that
/// names an attribute in an unseen word measures nothing. Phrasing and function words may be new; attribute words not.
/// </summary>
public class CaptionCoverageTests
{
    private static readonly WorldSamples World = new(WorldConfig.Default, 5);

    // Attribute words of the eval writers: the world's canonical names (bag captions, held-out style) and the human
    // writer's casual words for size, pattern, position and background.
    private static IEnumerable<string> AttributeWords()
    {
        var phrases = new List<string>();
        phrases.AddRange(Enum.GetValues<SceneColour>().Select(SceneLexicon.ColourName));
        phrases.AddRange(SceneLexicon.Shapes.SelectMany(s => new[] { SceneLexicon.ShapeName(s), SceneLexicon.ShapePlural(s) }));
        phrases.AddRange(SceneLexicon.Sizes.Select(SceneLexicon.SizeWord));
        phrases.AddRange(SceneLexicon.Patterns.Select(SceneLexicon.PatternWord));
        phrases.AddRange(Enumerable.Range(1, 4).Select(SceneLexicon.NumberWord));
        for (var r = 0; r < 3; r++) for (var c = 0; c < 3; c++) phrases.Add(SceneLexicon.CellName(r, c));
        phrases.AddRange(SceneLexicon.Sizes.SelectMany(HumanCaptionWriter.SizeWords));
        phrases.AddRange(SceneLexicon.Patterns.SelectMany(HumanCaptionWriter.PatternWords));
        phrases.AddRange(SceneLexicon.Patterns.Select(HeldOutCaptionWriter.PatternPhrase));
        phrases.AddRange(["upper", "lower", "backdrop", "blank", "faded", "speckled", "rough", "background"]);
        return phrases.SelectMany(CaptionText.BasicTokens).Where(w => w.All(char.IsLetter) && w.Length > 2).Distinct();
    }

    [Fact]
    public void EveryAttributeWordOfTheEvalCaptionsIsInTheTrainingCaptions()
    {
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < 3000; i++)
        {
            var t = World.Train(i);
            foreach (var w in CaptionText.BasicTokens(t.Recaption + " " + t.Web.Text).Select(x => x.ToLowerInvariant()).Distinct())
                counts[w] = counts.GetValueOrDefault(w) + 1;
        }
        var rare = AttributeWords().Where(w => counts.GetValueOrDefault(w) < 3).Select(w => $"{w} ({counts.GetValueOrDefault(w)})").ToList();
        Assert.True(rare.Count == 0, $"attribute words in fewer than 3 of 3000 training samples (0.1 %): {string.Join(", ", rare)}");
    }

    [Fact]
    public void TheCoverageCheckSeesAWordNoWriterUses()
    {
        // The check above must be able to fail: a word no training caption contains is counted as missing.
        var counts = 0;
        for (var i = 0; i < 300; i++)
            if (CaptionText.BasicTokens(World.Train(i).Recaption + " " + World.Train(i).Web.Text).Any(w => w.Equals("chartreuse", StringComparison.OrdinalIgnoreCase))) counts++;
        Assert.Equal(0, counts);
        Assert.Contains("dotted", AttributeWords());
    }
}
