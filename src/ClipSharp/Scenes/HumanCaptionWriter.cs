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

    /// <summary>Writes <paramref name="count"/> distinct captions with word counts in [minWords, maxWords].</summary>
    public static IReadOnlyList<string> Write(Scene scene, SceneRandom rng, int count = 5, int minWords = 6, int maxWords = 15)
    {
        var result = new List<string>(count);
        var seen = new HashSet<string>();
        for (var attempt = 0; result.Count < count && attempt < 200; attempt++)
        {
            var c = Candidate(scene, rng);
            if (WordCount(c) < minWords || WordCount(c) > maxWords || !seen.Add(c.ToLowerInvariant())) continue;
            result.Add(Decorate(c, rng));
        }
        // Fallback (never seen in practice): vary the background phrase until enough captions exist.
        for (var k = 0; result.Count < count; k++)
            result.Add(Decorate($"{HumanObject(scene.Salient, rng, true)} on {HumanBackground(scene.Background, rng)} number {SceneLexicon.NumberWord(k % 10)}", rng));
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

    private static string Candidate(Scene scene, SceneRandom rng)
    {
        var s = scene.Salient;
        var others = scene.Objects.Where(o => !ReferenceEquals(o, s)).ToList();
        var o2 = others.Count > 0 ? rng.Pick(others) : null;
        var templates = new List<string>(AnyCount);
        templates.AddRange(others.Count == 0 ? Single : Several);
        string rel = "";
        if (o2 is not null && RelationWord(s, o2) is { } r) { rel = r; templates.AddRange(Related); }
        return Fill(rng.Pick(templates),
            ("o2", o2 is null ? "" : HumanObject(o2, rng, true)),
            ("ob", HumanObject(s, rng, false)),
            ("o", HumanObject(s, rng, true)),
            ("pos", rng.Pick(PositionWords(s.Row, s.Col))),
            ("bg", HumanBackground(scene.Background, rng)),
            ("N", SceneLexicon.NumberWord(scene.Objects.Count)),
            ("rel", rel));
    }

    // A true relation of a to b in casual words, or null.
    private static string? RelationWord(SceneObject a, SceneObject b)
    {
        if (Math.Abs(a.Row - b.Row) + Math.Abs(a.Col - b.Col) == 1) return "beside";
        if (a.Row == b.Row) return a.Col < b.Col ? "left of" : "right of";
        if (a.Col == b.Col) return a.Row < b.Row ? "sitting above" : "sitting below";
        return null;
    }

    // [size] [pattern] colour shape, each optional part with some probability; with or without an article.
    private static string HumanObject(SceneObject o, SceneRandom rng, bool article)
    {
        var parts = new List<string>();
        if (rng.Chance(0.35)) parts.Add(rng.Pick(SizeWords(o.Size)));
        if (o.Pattern != PatternKind.Solid ? rng.Chance(0.6) : rng.Chance(0.1)) parts.Add(rng.Pick(PatternWords(o.Pattern)));
        parts.Add(SceneLexicon.ColourName(o.Colour));
        parts.Add(SceneLexicon.ShapeName(o.Shape));
        var phrase = string.Join(' ', parts);
        return article ? SceneLexicon.WithArticle(phrase) : phrase;
    }

    private static string HumanBackground(SceneBackground bg, SceneRandom rng)
    {
        var c = SceneLexicon.ColourName(bg.Colour);
        var c2 = SceneLexicon.ColourName(bg.Colour2);
        var phrase = bg.Kind switch
        {
            BackgroundKind.Plain => rng.Pick<string>([$"{c} background", $"blank {c} backdrop"]),
            BackgroundKind.Gradient => rng.Pick<string>([$"{c} and {c2} background", $"faded {c} backdrop"]),
            _ => rng.Pick<string>([$"speckled {c} background", $"rough {c} backdrop"]),
        };
        return SceneLexicon.WithArticle(phrase);
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
