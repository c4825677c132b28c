using ClipSharp.Scenes.Mentions;

namespace ClipSharp.Scenes;

/// <summary>
/// A second eval caption style that no training caption and no human-style reference ever uses: search-query and
/// list phrasings ("green star, striped, top left"; "looking for a red ring on the right"; "the heart at the top left is pink").
/// Attribute words are the world's own (an encoder cannot know a colour name it never read); word order, function
/// words and position/size/pattern phrasings are new, so retrieval on these captions measures whether a model
/// learned the attributes rather than the caption writers' templates.
/// </summary>
public static class HeldOutCaptionWriter
{
    private static readonly string[] Templates =
    [
        "shape: {shape}, colour: {colour}{size,}{pattern,}{pos,}",
        "looking for a {size }{colour} {shape}{ pos}",
        "the {shape}{ pos} is {colour}{ and pattern}",
        "{shape} in {colour}{size,}{ pos}{bg,}",
        "an image where a {size }{colour} {shape} appears{ pos}",
        "only {N} objects, one of them a {colour} {shape}{ pos}",
        "{colour} {shape}{ with pattern} over {bg}",
    ];

    /// <summary>Writes up to <paramref name="count"/> distinct captions, each with what it states.</summary>
    public static IReadOnlyList<WrittenCaption> Write(Scene scene, SceneRandom rng, int count = 5)
    {
        var result = new List<WrittenCaption>(count);
        var seen = new HashSet<string>();
        for (var attempt = 0; result.Count < count && attempt < 200; attempt++)
        {
            var c = Candidate(scene, rng);
            if (seen.Add(c.Text)) result.Add(c);
        }
        return result;
    }

    /// <summary>Size phrasings: the recaption's size words in a new construction.</summary>
    public static string SizePhrase(SizeClass s) => $"size {SceneLexicon.SizeWord(s)}";

    /// <summary>Pattern phrasings: "with stripes", "with dots", "outline only", "plain".</summary>
    public static string PatternPhrase(PatternKind p) => p switch
    {
        PatternKind.Solid => "plain",
        PatternKind.Striped => "with stripes",
        PatternKind.Dotted => "with dots",
        _ => "outline only",
    };

    /// <summary>Position phrasings: "top left", "left side", "center of the picture" as list items.</summary>
    public static string PositionPhrase(int row, int col) => (row, col) switch
    {
        (1, 1) => "center of the picture",
        (1, 0) => "left side",
        (1, 2) => "right side",
        (0, 1) => "top middle",
        (2, 1) => "bottom middle",
        _ => $"{(row == 0 ? "top" : "bottom")} {(col == 0 ? "left" : "right")}",
    };

    private static WrittenCaption Candidate(Scene scene, SceneRandom rng)
    {
        var s = scene.Salient;
        var template = rng.Pick(Templates);
        var m = new ObjectMention(s.Shape, s.Colour);
        string Optional(string slot, double p, string value, Func<ObjectMention, ObjectMention> record)
        {
            if (!template.Contains(slot) || !rng.Chance(p)) return "";
            m = record(m);
            return value;
        }
        var size = Optional("size", 0.5, SizePhrase(s.Size), x => x with { Size = s.Size });
        var pattern = Optional("pattern", s.Pattern == PatternKind.Solid ? 0.3 : 0.8, PatternPhrase(s.Pattern), x => x with { Pattern = s.Pattern });
        var pos = Optional("pos", 0.8, PositionPhrase(s.Row, s.Col), x => x with { Cell = s.Cell });
        var bgUsed = template.Contains("{bg") && (template.Contains("over {bg}") || rng.Chance(0.7));
        var text = template
            .Replace("{size,}", size.Length > 0 ? ", " + size : "").Replace("{size }", size.Length > 0 ? SceneLexicon.SizeWord(s.Size) + " " : "")
            .Replace("{pattern,}", pattern.Length > 0 ? ", " + pattern : "").Replace("{ and pattern}", pattern.Length > 0 ? " and " + pattern : "")
            .Replace("{ with pattern}", pattern.Length > 0 && pattern != "plain" ? " " + pattern : "")
            .Replace("{pos,}", pos.Length > 0 ? ", " + pos : "").Replace("{ pos}", pos.Length > 0 ? " " + LeadIn(pos) : "")
            .Replace("{bg,}", bgUsed ? ", background " + SceneLexicon.ColourName(scene.Background.Colour) : "")
            .Replace("{bg}", SceneLexicon.ColourName(scene.Background.Colour))
            .Replace("{N}", SceneLexicon.NumberWord(scene.Objects.Count))
            .Replace("{colour}", SceneLexicon.ColourName(s.Colour)).Replace("{shape}", SceneLexicon.ShapeName(s.Shape));
        if (pattern == "plain" && template.Contains("{ with pattern}")) m = m with { Pattern = null };
        return new WrittenCaption(text, new CaptionMention([m],
            bgUsed ? new BackgroundMention(scene.Background.Colour) : null,
            template.Contains("{N}") ? scene.Objects.Count : null));
    }

    // "looking for a red ring on the right side" / "at the top left" / "in the center of the picture".
    private static string LeadIn(string pos) => pos.StartsWith("center", StringComparison.Ordinal) ? "in the " + pos
        : pos.EndsWith("side", StringComparison.Ordinal) ? "on the " + pos : "at the " + pos;

    /// <summary>Every word this writer can emit (for the vocabulary).</summary>
    public static IEnumerable<string> Phrases()
    {
        foreach (var t in Templates) yield return System.Text.RegularExpressions.Regex.Replace(t, @"\{[^}]*\}", " ");
        yield return "size with and background over plain the on at in";
        foreach (var p in SceneLexicon.Patterns) yield return PatternPhrase(p);
        for (var r = 0; r < 3; r++) for (var c = 0; c < 3; c++) yield return PositionPhrase(r, c);
    }
}
