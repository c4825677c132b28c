using System.Text.RegularExpressions;
using ClipSharp.Scenes;

namespace ClipSharp.Tests.Scenes;

public class CaptionWriterTests
{
    private static readonly WorldSamples World = new(WorldConfig.Default, 5);

    private static bool HasWord(string text, string word) =>
        Regex.IsMatch(text.ToLowerInvariant(), $@"(^|[^a-z]){Regex.Escape(word)}($|[^a-z])");

    [Fact]
    public void RecaptionHasFourToEightSentencesAndEveryAttributeOfEveryObject()
    {
        var lengths = new HashSet<int>();
        for (var i = 0; i < 400; i++)
        {
            var s = World.Train(i);
            var sentences = ClipSharp.Scenes.CaptionText.Sentences(s.Recaption);
            Assert.InRange(sentences.Count, 4, 8);
            lengths.Add(sentences.Count);
            Assert.All(sentences, x => Assert.EndsWith(".", x));
            Assert.Equal(sentences.Count, s.Recaption.Count(c => c == '.'));
            foreach (var o in s.Scene.Objects)
            {
                var phrase = $"{RecaptionWriter.SizeWord(o.Size)} {SceneLexicon.ColourName(o.Colour)} {SceneLexicon.ShapeName(o.Shape)}";
                Assert.Contains(sentences, x =>
                    x.Contains(phrase, StringComparison.Ordinal)
                    && RecaptionWriter.PatternPhrases(o.Pattern).Any(x.Contains)
                    && RecaptionWriter.PositionPhrases(o.Row, o.Col).Any(p => x.Contains(p, StringComparison.OrdinalIgnoreCase)));
            }
            Assert.Contains(SceneLexicon.ColourName(s.Scene.Background.Colour), s.Recaption);
            if (s.Scene.Objects.Count > 1) Assert.Contains(SceneLexicon.NumberWord(s.Scene.Objects.Count) + " ", s.Recaption);
        }
        Assert.True(lengths.Count >= 4, "sentence counts vary with the object count");
    }

    [Theory]
    [InlineData(RecaptionStyle.SubjectFirst, 0.70, 1.00)]
    [InlineData(RecaptionStyle.Exhaustive, 0.00, 0.40)]
    public void ARandomSentenceNamesTheSubjectMostlyInTheSubjectFirstStyle(RecaptionStyle style, double min, double max)
    {
        // The sub-caption is one random sentence: how often does it carry the salient object's colour and shape
        // (what every human eval caption names)? Real MLLM recaptions re-mention their subject in most sentences.
        var world = new WorldSamples(WorldConfig.Default with { RecaptionStyle = style }, 5);
        double share = 0;
        var firstIsSubject = 0;
        const int n = 500;
        for (var i = 0; i < n; i++)
        {
            var s = world.Train(i);
            var subject = $"{SceneLexicon.ColourName(s.Scene.Salient.Colour)} {SceneLexicon.ShapeName(s.Scene.Salient.Shape)}";
            var sentences = ClipSharp.Scenes.CaptionText.Sentences(s.Recaption);
            share += sentences.Count(x => x.Contains(subject, StringComparison.Ordinal)) / (double)sentences.Count;
            if (sentences.First(x => SceneLexicon.Shapes.Any(k => HasWord(x, SceneLexicon.ShapeName(k)))).Contains(subject, StringComparison.Ordinal)) firstIsSubject++;
        }
        Assert.InRange(share / n, min, max);
        if (style == RecaptionStyle.SubjectFirst) Assert.Equal(n, firstIsSubject);
    }

    [Fact]
    public void RecaptionsVaryInPhrasing()
    {
        var firstSentences = Enumerable.Range(0, 200)
            .Select(i => Regex.Replace(ClipSharp.Scenes.CaptionText.Sentences(World.Train(i).Recaption)[0], @"\b(one|two|three|four|shapes?)\b", "_"))
            .Distinct().Count();
        Assert.True(firstSentences >= 4, $"only {firstSentences} distinct opening templates");
    }

    [Fact]
    public void HumanCaptionsAreFiveShortAccurateAndPhrasedUnlikeTheRecaption()
    {
        int withSharedFourGram = 0, total = 0;
        var shared = new Dictionary<string, int>();
        for (var i = 0; i < 300; i++)
        {
            var e = World.Eval(i);
            var scene = e.Scene;
            Assert.Equal(5, e.Captions.Count);
            Assert.Equal(5, e.Captions.Select(c => c.Text.ToLowerInvariant().TrimEnd('.')).Distinct().Count());
            var recap = RecaptionWriter.Write(scene, SceneRandom.For(5, "recap", i));
            var recapGrams = FourGrams(recap);
            foreach (var c in e.Captions.Select(w => w.Text))
            {
                Assert.InRange(ClipSharp.Scenes.CaptionText.WordCount(c), 6, 15);
                // names the salient object
                Assert.True(HasWord(c, SceneLexicon.ColourName(scene.Salient.Colour)) && HasWord(c, SceneLexicon.ShapeName(scene.Salient.Shape)), c);
                // accurate: every colour and shape word it uses is in the scene
                foreach (var colour in ColoursIn(c))
                    Assert.True(scene.Objects.Any(o => o.Colour == colour) || scene.Background.VisibleColours.Contains(colour), $"{colour} in '{c}'");
                foreach (var shape in SceneLexicon.Shapes.Where(k => HasWord(c, SceneLexicon.ShapeName(k))))
                    Assert.Contains(scene.Objects, o => o.Shape == shape);
                total++;
                if (FourGrams(c).Overlaps(recapGrams)) withSharedFourGram++;
                foreach (var g in FourGrams(c).Intersect(recapGrams)) shared[g] = shared.GetValueOrDefault(g) + 1;
            }
        }
        Assert.True(withSharedFourGram < total * 0.05, $"{withSharedFourGram}/{total} human captions share a 4-gram with the recaption, most often: " +
            string.Join("; ", shared.OrderByDescending(kv => kv.Value).Take(12).Select(kv => $"{kv.Key} ({kv.Value})")));
    }

    [Fact]
    public void WebCaptionNoiseRatesMatchTheConfig()
    {
        var config = WorldConfig.Default with { WebFileNameRate = 0.15, WebForeignRate = 0.1, WebNoObjectRate = 0.2, WebWrongAttributeRate = 0.3 };
        var writer = new WebCaptionWriter(config);
        var sampler = new SceneSampler(config);
        const int n = 4000;
        var kinds = new Dictionary<WebCaptionKind, int>();
        int objects = 0, wrong = 0, wrongVisible = 0, lengthSum = 0;
        for (var i = 0; i < n; i++)
        {
            var rng = SceneRandom.For(9, "web", i);
            var scene = sampler.Sample(rng);
            var w = writer.Write(scene, rng);
            kinds[w.Kind] = kinds.GetValueOrDefault(w.Kind) + 1;
            lengthSum += ClipSharp.Scenes.CaptionText.WordCount(w.Text);
            var s = scene.Salient;
            var hasShape = WebCaptionWriter.ShapeWords(s.Shape).Any(x => HasWord(w.Text, x));
            var hasColour = WebCaptionWriter.ColourWords(s.Colour).Any(x => HasWord(w.Text, x));
            switch (w.Kind)
            {
                case WebCaptionKind.FileName:
                    Assert.Matches(@"\d", w.Text);
                    break;
                case WebCaptionKind.Object:
                    objects++;
                    if (w.WrongAttribute) { wrong++; if (!hasShape || (w.MentionsColour && !hasColour)) wrongVisible++; }
                    else Assert.True(hasShape && (!w.MentionsColour || hasColour), $"'{w.Text}' should name {s.Colour} {s.Shape}");
                    break;
            }
        }
        double Rate(WebCaptionKind k) => kinds.GetValueOrDefault(k) / (double)n;
        Assert.InRange(Rate(WebCaptionKind.FileName), 0.12, 0.18);
        Assert.InRange(Rate(WebCaptionKind.Foreign), 0.075, 0.125);
        Assert.InRange(Rate(WebCaptionKind.NoObject), 0.17, 0.23);
        Assert.InRange(Rate(WebCaptionKind.Object), 0.52, 0.58);
        Assert.InRange(wrong / (double)objects, 0.26, 0.34);
        Assert.True(wrongVisible >= wrong * 0.95, $"only {wrongVisible}/{wrong} wrong captions actually contradict the image");
        Assert.InRange(lengthSum / (double)n, 1.5, 8);  // short, like alt-text
    }

    // Colour names in a text, longest first so "light gray" is not also read as "gray".
    private static List<SceneColour> ColoursIn(string text)
    {
        var found = new List<SceneColour>();
        text = text.ToLowerInvariant();
        foreach (var c in Enum.GetValues<SceneColour>().OrderByDescending(k => SceneLexicon.ColourName(k).Length))
        {
            var name = SceneLexicon.ColourName(c);
            if (!HasWord(text, name)) continue;
            found.Add(c);
            text = Regex.Replace(text, $@"(^|[^a-z]){Regex.Escape(name)}($|[^a-z])", " ");
        }
        return found;
    }

    private static HashSet<string> FourGrams(string text)
    {
        var t = ClipSharp.Scenes.CaptionText.KarpathyTokens(text);
        return Enumerable.Range(0, Math.Max(0, t.Count - 3)).Select(i => string.Join(' ', t.Skip(i).Take(4))).ToHashSet();
    }
}
