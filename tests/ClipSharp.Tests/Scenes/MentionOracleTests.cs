using System.Text.RegularExpressions;
using ClipSharp.Scenes;
using ClipSharp.Scenes.Mentions;

namespace ClipSharp.Tests.Scenes;

public class MentionOracleTests
{
    private static readonly WorldSamples World = new(WorldConfig.Default, 11);
    private static readonly SceneBackground Plain = new(BackgroundKind.Plain, SceneColour.White);

    private static Scene One(ShapeKind shape, SceneColour colour, int cell = 4, SizeClass size = SizeClass.Medium) =>
        new(Plain, [new SceneObject(shape, colour, size, PatternKind.Solid, cell / 3, cell % 3)]);

    private static bool HasWord(string text, string word) =>
        Regex.IsMatch(text.ToLowerInvariant(), $@"(^|[^a-z]){Regex.Escape(word)}($|[^a-z])");

    [Fact]
    public void EveryWrittenCaptionFitsItsOwnSceneAndSaysWhatItsMentionRecords()
    {
        for (var i = 0; i < 300; i++)
        {
            var e = World.Eval(i);
            Assert.Equal(5, e.HeldOut.Count);
            foreach (var c in e.Captions.Concat(e.HeldOut))
            {
                Assert.True(c.Mention.Matches(e.Scene), c.Text);
                var m = c.Mention.Objects[0];
                Assert.True(HasWord(c.Text, SceneLexicon.ShapeName(m.Shape!.Value)) && HasWord(c.Text, SceneLexicon.ColourName(m.Colour!.Value)), c.Text);
                if (c.Mention.Count is { } n) Assert.True(HasWord(c.Text, SceneLexicon.NumberWord(n)), c.Text);
                if (c.Mention.Background is { } bg) Assert.True(HasWord(c.Text, SceneLexicon.ColourName(bg.Colour)), c.Text);
            }
            // The held-out style states size and position in its own words, never the human writer's.
            foreach (var c in e.HeldOut.Where(c => c.Mention.Objects[0].Size is { } s))
                Assert.Contains(HeldOutCaptionWriter.SizePhrase(c.Mention.Objects[0].Size!.Value).Split(' ')[1], c.Text);
        }
    }

    [Fact]
    public void HeldOutCaptionsUseWordPairsNoTrainingOrHumanCaptionUses()
    {
        var seen = new HashSet<string>();
        for (var i = 0; i < 1500; i++)
        {
            var t = World.Train(i);
            foreach (var x in new[] { t.Recaption, t.Web.Text }) seen.UnionWith(Bigrams(x));
        }
        for (var i = 0; i < 300; i++) foreach (var c in World.Eval(i).Captions) seen.UnionWith(Bigrams(c.Text));
        var captions = Enumerable.Range(1000, 300).SelectMany(i => World.Eval(i).HeldOut).ToList();
        var withoutNew = captions.Where(c => Bigrams(c.Text).All(seen.Contains)).Select(c => c.Text).ToList();
        Assert.True(withoutNew.Count == 0, $"{withoutNew.Count}/{captions.Count} held-out captions only use known word pairs: {string.Join(" | ", withoutNew.Take(5))}");
    }

    [Fact]
    public void RetrievalCeilingIsTheExpectationOverTiesBothWays()
    {
        // Images 0 and 1 are both red circles; image 2 a blue square. Caption 0 (image 0) says "red circle": 2 fit.
        Scene[] scenes = [One(ShapeKind.Circle, SceneColour.Red), One(ShapeKind.Circle, SceneColour.Red, cell: 0), One(ShapeKind.Square, SceneColour.Blue)];
        var red = new CaptionMention([new ObjectMention(ShapeKind.Circle, SceneColour.Red)]);
        var redTopLeft = new CaptionMention([new ObjectMention(ShapeKind.Circle, SceneColour.Red, Cell: 0)]);
        var blue = new CaptionMention([new ObjectMention(ShapeKind.Square, SceneColour.Blue)]);
        var r = MentionOracle.Retrieval(scenes, [new(0, red), new(1, redTopLeft), new(2, blue)], [1, 2]);
        Assert.Equal((0.5 + 1 + 1) / 3, r["image_retrieval_recall@1"], 12);
        Assert.Equal(1.0, r["image_retrieval_recall@2"], 12);
        // Image 0 fits caption 0 only (1/1); image 1 fits captions 0 and 1, its own is 1 of 2 (R@1 = 1/2); image 2: 1.
        Assert.Equal((1 + 0.5 + 1) / 3, r["text_retrieval_recall@1"], 12);
    }

    [Fact]
    public void ImageToTextCeilingMatchesBruteForceOverEveryOrder()
    {
        // One image fitting 5 captions of which 2 are its own: R@2 = 1 - C(3,2)/C(5,2) = 0.7.
        var scene = One(ShapeKind.Star, SceneColour.Green);
        var others = Enumerable.Range(0, 3).Select(_ => One(ShapeKind.Star, SceneColour.Green)).ToList();
        var m = new CaptionMention([new ObjectMention(ShapeKind.Star)]);
        var r = MentionOracle.Retrieval([scene, .. others], [new(0, m), new(0, m), new(1, m), new(2, m), new(3, m)], [2]);
        var orders = Permutations([0, 0, 1, 2, 3]).ToList();
        double brute = orders.Average(o => o.Take(2).Contains(0) ? 1.0 : 0.0);
        Assert.Equal(0.7, brute, 12);
        // Averaged over the four images: image 0 (0.7) and three images with one own caption among 5 (R@2 = 0.4).
        Assert.Equal((0.7 + 3 * 0.4) / 4, r["text_retrieval_recall@2"], 12);
    }

    [Fact]
    public void ACaptionThatDoesNotFitItsOwnImageIsAnError()
    {
        var wrong = new CaptionMention([new ObjectMention(ShapeKind.Heart)]);
        var e = Assert.Throws<ClipSharp.Core.ClipSharpException>(() => MentionOracle.Retrieval([One(ShapeKind.Star, SceneColour.Red)], [new(0, wrong)], [1]));
        Assert.Contains("Caption 0", e.Message);
    }

    [Fact]
    public void RelationsCountAndBackgroundNarrowWhatFits()
    {
        var a = new SceneObject(ShapeKind.Star, SceneColour.Red, SizeClass.Small, PatternKind.Solid, 0, 0);
        var b = new SceneObject(ShapeKind.Ring, SceneColour.Blue, SizeClass.Small, PatternKind.Solid, 0, 2);
        var scene = new Scene(new SceneBackground(BackgroundKind.Gradient, SceneColour.Navy, SceneColour.Black), [a, b]);
        ObjectMention star = new(ShapeKind.Star), ring = new(ShapeKind.Ring);
        Assert.True(new CaptionMention([star, ring], Relation: MentionRelation.LeftOf).Matches(scene));
        Assert.False(new CaptionMention([star, ring], Relation: MentionRelation.RightOf).Matches(scene));
        Assert.False(new CaptionMention([star, ring], Relation: MentionRelation.NextTo).Matches(scene));
        Assert.False(new CaptionMention([star, star]).Matches(scene));
        Assert.True(new CaptionMention([star], Count: 2).Matches(scene));
        Assert.False(new CaptionMention([star], Count: 3).Matches(scene));
        Assert.True(new CaptionMention([star], new BackgroundMention(SceneColour.Navy, BackgroundKind.Gradient, SceneColour.Black)).Matches(scene));
        Assert.False(new CaptionMention([star], new BackgroundMention(SceneColour.Navy, BackgroundKind.Plain)).Matches(scene));
    }

    [Fact]
    public void BagCaptionsNameTheVariedAttributeSoEveryBagCeilingIsOne()
    {
        for (var k = 0; k < 60; k++)
        {
            var bag = World.Bag(k);
            var (t2i, i2t) = MentionOracle.Bag(bag.Images.Select(i => i.Scene).ToList(), bag.Images.Select(i => i.Mention).ToList());
            Assert.True((t2i, i2t) == (1.0, 1.0), $"bag {k} ({bag.Attribute}): {t2i}, {i2t}; {string.Join(" | ", bag.Images.Select(i => i.Caption))}");
        }
        // A bag whose captions leave the varied attribute unsaid is at chance.
        Scene[] two = [One(ShapeKind.Star, SceneColour.Red, size: SizeClass.Small), One(ShapeKind.Star, SceneColour.Red, size: SizeClass.Large)];
        var vague = new CaptionMention([new ObjectMention(ShapeKind.Star, SceneColour.Red)]);
        Assert.Equal((0.5, 0.5), MentionOracle.Bag(two, [vague, vague]));
    }

    private static IEnumerable<string> Bigrams(string text)
    {
        var w = ClipSharp.Scenes.CaptionText.BasicTokens(text);
        for (var i = 0; i + 1 < w.Count; i++) yield return w[i] + " " + w[i + 1];
    }

    private static IEnumerable<int[]> Permutations(int[] items)
    {
        if (items.Length <= 1) { yield return items; yield break; }
        for (var i = 0; i < items.Length; i++)
            foreach (var rest in Permutations([.. items[..i], .. items[(i + 1)..]]))
                yield return [items[i], .. rest];
    }
}
