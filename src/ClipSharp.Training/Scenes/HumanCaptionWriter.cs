using ClipSharp.Scenes.Mentions;
using static ClipSharp.Scenes.CaptionText;

namespace ClipSharp.Scenes;

/// <summary>
/// Human-style reference captions for evaluation (like COCO's five per image): short (6–15 words), accurate, naming
/// the salient object and maybe a second one, in casual phrasings deliberately disjoint from the recaption writer's
/// (other adjective order, "big"/"little" instead of "large"/"small", "upper left", "beside"), so retrieval tests
/// meaning, not template overlap.
/// </summary>
public static class HumanCaptionWriter
{
    private static readonly string[] AnyCount =
    [
        "{o} {pos} on {bg}",
        "{bg} with {o} {pos}",
        "a picture of {o} {pos}",
        "a drawing of {o} {pos}",
        "simple graphic showing {o} {pos}",
        "{o} drawn {pos} against {bg}",
        "you can see {o} {pos}",
    ];
    private static readonly string[] Single =
    [
        "just {o} on {bg}",
        "a lone {ob} on {bg}",
        "nothing but {o} on {bg}",
    ];
    private static readonly string[] Several =
    [
        "{o} and {o2} on {bg}",
        "{N} shapes including {o}",
        "{N} shapes on {bg}, one of them {o}",
        "{o} with {o2} nearby",
        "{o} plus {o2}",
    ];
    private static readonly string[] Related = ["{o} {rel} {o2}", "{o} {rel} {o2} on {bg}"];

    /// <summary>Writes <paramref name="count"/> distinct captions with word counts in [minWords, maxWords], each with
    /// what it states about the scene.</summary>
    public static IReadOnlyList<WrittenCaption> Write(Scene scene, SceneRandom rng, int count = 5, int minWords = 6, int maxWords = 15)
    {
        var result = new List<WrittenCaption>(count);
        var seen = new HashSet<string>();
        for (var attempt = 0; result.Count < count && attempt < 200; attempt++)
        {
            var c = Candidate(scene, rng);
            if (WordCount(c.Text) < minWords || WordCount(c.Text) > maxWords || !seen.Add(c.Text.ToLowerInvariant())) continue;
            result.Add(c with { Text = Decorate(c.Text, rng) });
        }
        // Fallback (never seen in practice): vary the background phrase until enough captions exist.
        for (var k = 0; result.Count < count; k++)
        {
            var (o, om) = HumanObject(scene.Salient, rng, true);
            var (bg, bgm) = HumanBackground(scene.Background, rng);
            result.Add(new WrittenCaption(Decorate($"{o} on {bg} number {SceneLexicon.NumberWord(k % 10)}", rng), new CaptionMention([om], bgm)));
        }
        return result;
    }

    /// <summary>Casual size adjectives.</summary>
    public static IReadOnlyList<string> SizeWords(SizeClass s) => s switch
    {
        SizeClass.Tiny => ["very small", "teeny"],
        SizeClass.Small => ["little", "smallish"],
        SizeClass.Medium => ["medium", "mid-size"],
        _ => ["big", "fairly big"],
    };

    /// <summary>Casual pattern adjectives (solid is usually left unsaid).</summary>
    public static IReadOnlyList<string> PatternWords(PatternKind p) => p switch
    {
        PatternKind.Solid => ["solid"],
        PatternKind.Striped => ["striped", "stripy"],
        PatternKind.Dotted => ["dotted", "spotted", "polka dot"],
        _ => ["outlined", "hollow"],
    };

    /// <summary>Casual position phrases.</summary>
    public static IReadOnlyList<string> PositionWords(int row, int col) => (row, col) switch
    {
        (0, 0) => ["in the upper left", "up on the left"],
        (0, 1) => ["at the top", "up top"],
        (0, 2) => ["in the upper right", "up on the right"],
        (1, 0) => ["on the left", "over on the left"],
        (1, 1) => ["in the middle", "dead center"],
        (1, 2) => ["on the right", "over on the right"],
        (2, 0) => ["in the lower left", "down on the left"],
        (2, 1) => ["at the bottom", "down low"],
        _ => ["in the lower right", "down on the right"],
    };

    private static WrittenCaption Candidate(Scene scene, SceneRandom rng)
    {
        var s = scene.Salient;
        var others = scene.Objects.Where(o => !ReferenceEquals(o, s)).ToList();
        var o2 = others.Count > 0 ? rng.Pick(others) : null;
        var templates = new List<string>(AnyCount);
        templates.AddRange(others.Count == 0 ? Single : Several);
        (string Word, MentionRelation Kind)? rel = null;
        if (o2 is not null && RelationWord(s, o2) is { } r) { rel = r; templates.AddRange(Related); }
        // The draws happen in this order (template, second object, subject twice, position, background), so the
        // captions are a pure function of the scene's random stream.
        var template = rng.Pick(templates);
        var (o2Text, o2Mention) = o2 is null ? ("", null) : HumanObject(o2, rng, true);
        var (bare, bareMention) = HumanObject(s, rng, false);
        var (withArticle, subjectMention) = HumanObject(s, rng, true);
        var pos = rng.Pick(PositionWords(s.Row, s.Col));
        var (bg, bgMention) = HumanBackground(scene.Background, rng);
        var text = Fill(template, ("o2", o2Text), ("ob", bare), ("o", withArticle), ("pos", pos), ("bg", bg),
            ("N", SceneLexicon.NumberWord(scene.Objects.Count)), ("rel", rel?.Word ?? ""));
        var subject = template.Contains("{ob}") ? bareMention : subjectMention;
        if (template.Contains("{pos}")) subject = subject with { Cell = s.Cell };
        List<ObjectMention> objects = template.Contains("{o2}") ? [subject, o2Mention!] : [subject];
        return new WrittenCaption(text, new CaptionMention(objects,
            template.Contains("{bg}") ? bgMention : null,
            template.Contains("{N}") ? scene.Objects.Count : null,
            template.Contains("{rel}") ? rel!.Value.Kind : null));
    }

    // A true relation of a to b in casual words, or null.
    private static (string Word, MentionRelation Kind)? RelationWord(SceneObject a, SceneObject b)
    {
        if (Math.Abs(a.Row - b.Row) + Math.Abs(a.Col - b.Col) == 1) return ("beside", MentionRelation.NextTo);
        if (a.Row == b.Row) return a.Col < b.Col ? ("left of", MentionRelation.LeftOf) : ("right of", MentionRelation.RightOf);
        if (a.Col == b.Col) return a.Row < b.Row ? ("sitting above", MentionRelation.Above) : ("sitting below", MentionRelation.Below);
        return null;
    }

    // [size] [pattern] colour shape, each optional part with some probability; with or without an article.
    private static (string Text, ObjectMention Mention) HumanObject(SceneObject o, SceneRandom rng, bool article)
    {
        var parts = new List<string>();
        var m = new ObjectMention(o.Shape, o.Colour);
        if (rng.Chance(0.35)) { parts.Add(rng.Pick(SizeWords(o.Size))); m = m with { Size = o.Size }; }
        if (o.Pattern != PatternKind.Solid ? rng.Chance(0.6) : rng.Chance(0.1)) { parts.Add(rng.Pick(PatternWords(o.Pattern))); m = m with { Pattern = o.Pattern }; }
        parts.Add(SceneLexicon.ColourName(o.Colour));
        parts.Add(SceneLexicon.ShapeName(o.Shape));
        var phrase = string.Join(' ', parts);
        return (article ? SceneLexicon.WithArticle(phrase) : phrase, m);
    }

    private static (string Text, BackgroundMention Mention) HumanBackground(SceneBackground bg, SceneRandom rng)
    {
        var c = SceneLexicon.ColourName(bg.Colour);
        var c2 = SceneLexicon.ColourName(bg.Colour2);
        var (phrase, mention) = bg.Kind switch
        {
            BackgroundKind.Plain => rng.Next(2) == 0 ? ($"{c} background", new BackgroundMention(bg.Colour))
                : ($"blank {c} backdrop", new BackgroundMention(bg.Colour, BackgroundKind.Plain)),
            BackgroundKind.Gradient => rng.Next(2) == 0 ? ($"{c} and {c2} background", new BackgroundMention(bg.Colour, BackgroundKind.Gradient, bg.Colour2))
                : ($"faded {c} backdrop", new BackgroundMention(bg.Colour, BackgroundKind.Gradient)),
            _ => rng.Next(2) == 0 ? ($"speckled {c} background", new BackgroundMention(bg.Colour, BackgroundKind.Texture))
                : ($"rough {c} backdrop", new BackgroundMention(bg.Colour, BackgroundKind.Texture)),
        };
        return (SceneLexicon.WithArticle(phrase), mention);
    }

    private static string Decorate(string c, SceneRandom rng)
    {
        if (rng.Chance(0.6)) c = Capitalize(c);
        return rng.Chance(0.4) ? c + "." : c;
    }

    /// <summary>Every template and phrase this writer can emit (for the vocabulary).</summary>
    public static IEnumerable<string> Phrases()
    {
        IEnumerable<string> all = [.. AnyCount, .. Single, .. Several, .. Related,
            "beside left of right of sitting above sitting below background blank backdrop and faded speckled rough number ."];
        foreach (var s in all) yield return s;
        foreach (var s in SceneLexicon.Sizes) foreach (var w in SizeWords(s)) yield return w;
        foreach (var p in SceneLexicon.Patterns) foreach (var w in PatternWords(p)) yield return w;
        for (var r = 0; r < 3; r++) for (var c = 0; c < 3; c++) foreach (var w in PositionWords(r, c)) yield return w;
    }
}
