using static ClipSharp.Scenes.CaptionText;

namespace ClipSharp.Scenes;

/// <summary>
/// The synthetic recaption: 4–8 sentences, each ending in '.', in the style of an LLM recaptioner (LLaVA-style):
/// an overview, the background, one sentence per object with every attribute and its position, the relations, the
/// counts, and sometimes a closing remark on style. Exhaustive and accurate; several phrasings per sentence.
/// </summary>
public static class RecaptionWriter
{
    private static readonly string[] Overview =
    [
        "The image shows {n} flat geometric {shapes}.",
        "This is a simple digital illustration containing {n} distinct {shapes}.",
        "The picture is a minimalist graphic composition made of {n} {shapes}.",
        "This computer-generated image presents {n} colored {shapes} arranged on a three-by-three grid.",
        "In this synthetic image, {n} {shapes} can be seen.",
    ];
    private static readonly string[] PlainBackground =
    [
        "The background is a flat, uniform {c}.",
        "A plain {c} color fills the entire background.",
        "Behind everything, the background is an even, solid {c}.",
    ];
    private static readonly string[] GradientBackground =
    [
        "The background is a smooth gradient that fades from {c} to {c2} {dir}.",
        "A soft gradient blends {c} into {c2} across the background, running {dir}.",
    ];
    private static readonly string[] TextureBackground =
    [
        "The background is a mottled {c} texture with subtle, cloudy variations.",
        "A grainy, paper-like {c} texture covers the background.",
    ];
    private static readonly string[] ObjectSentences =
    [
        "{Pos}, there is {obj} {pattern}{tilt}.",
        "{Obj} {pattern} is positioned {pos}{tilt}.",
        "{Pos} sits {obj}, which is {pattern}{tilt}.",
        "The {ord} object is {obj}, located {pos} and {pattern}{tilt}.",
    ];
    private static readonly string[] RelationSentence = ["{R1}.", "Spatially, {r1}.", "In terms of layout, {r1}."];
    private static readonly string[] TwoRelationSentence = ["{R1}, while {r2}.", "{R1}, and {r2}.", "In terms of layout, {r1}, while {r2}."];
    private static readonly string[] CountSentence =
    [
        "In total, there are {n} {shapes}: {list}.",
        "Altogether, the image contains {n} objects, namely {list}.",
        "Counting everything, there are {n} {shapes} in the picture: {list}.",
    ];
    private static readonly string[] SingleCountSentence =
    [
        "It is the only object in the image.",
        "No other shapes or objects appear in the picture.",
        "There is exactly one object in the whole image.",
    ];
    private static readonly string[] Closing =
    [
        "The style is flat and clean, with crisp edges and no text.",
        "There is no text, shadow or other detail in the image.",
        "Overall, the composition is simple, balanced and clearly legible.",
    ];
    private static readonly string[] Ordinals = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"];

    /// <summary>Writes the recaption of <paramref name="scene"/>.</summary>
    public static string Write(Scene scene, SceneRandom rng)
    {
        var objs = scene.Objects;
        var n = objs.Count;
        var sentences = new List<string>();
        var nWord = SceneLexicon.NumberWord(n);
        var shapes = n == 1 ? "shape" : "shapes";
        sentences.Add(Fill(rng.Pick(Overview), ("n", nWord), ("shapes", shapes)));
        sentences.Add(BackgroundSentence(scene.Background, rng));
        for (var i = 0; i < n; i++) sentences.Add(ObjectSentence(objs[i], rng, ObjectSentences, ("ord", Ordinals[i])));
        if (n >= 2) sentences.Add(RelationsSentence(scene, rng));
        sentences.Add(n == 1 ? rng.Pick(SingleCountSentence) : CountSentenceFor(scene, rng));
        if (sentences.Count < 8 && rng.Chance(0.5)) sentences.Add(ClosingSentence(rng));
        return string.Join(' ', sentences.Select(Capitalize));
    }

    /// <summary>Formal size adjective ("medium-sized").</summary>
    public static string SizeWord(SizeClass s) => s == SizeClass.Medium ? "medium-sized" : SceneLexicon.SizeWord(s);

    /// <summary>The phrasings of a pattern (participle phrases).</summary>
    public static IReadOnlyList<string> PatternPhrases(PatternKind p) => p switch
    {
        PatternKind.Solid => ["filled with a single solid color", "painted in one flat, uniform color"],
        PatternKind.Striped => ["filled with parallel stripes", "decorated with evenly spaced stripes", "with a striped fill"],
        PatternKind.Dotted => ["covered in small dots", "patterned with polka dots", "with a dotted fill"],
        _ => ["drawn only as a hollow outline", "rendered as an outline with an empty interior", "outlined, with an empty interior"],
    };

    /// <summary>The phrasings of a grid cell ("in the top-left corner").</summary>
    public static IReadOnlyList<string> PositionPhrases(int row, int col)
    {
        var v = row == 0 ? "top" : "bottom";
        var h = col == 0 ? "left" : "right";
        return (row, col) switch
        {
            (1, 1) => ["in the center of the image", "right at the center of the frame"],
            (1, _) => [$"at the middle of the {h} edge", $"on the {h} side, halfway down"],
            (_, 1) => [$"at the {v} center", $"along the {v} edge, centered"],
            _ => [$"in the {v}-{h} corner", $"near the {v}-{h} corner of the frame", $"in the {(row == 0 ? "upper" : "lower")}-{h} corner"],
        };
    }

    private static string BackgroundSentence(SceneBackground bg, SceneRandom rng)
    {
        var template = bg.Kind switch
        {
            BackgroundKind.Plain => rng.Pick(PlainBackground),
            BackgroundKind.Gradient => rng.Pick(GradientBackground),
            _ => rng.Pick(TextureBackground),
        };
        return Fill(template, ("c2", SceneLexicon.ColourName(bg.Colour2)), ("c", SceneLexicon.ColourName(bg.Colour)), ("dir", DirectionPhrase(bg.Direction)));
    }

    /// <summary>"from left to right", "from top to bottom", "diagonally from … to …".</summary>
    public static string DirectionPhrase(GradientDirection d) => d switch
    {
        GradientDirection.Horizontal => "from left to right",
        GradientDirection.Vertical => "from top to bottom",
        _ => "diagonally from the top-left corner to the bottom-right corner",
    };

    /// <summary>The count sentence of a scene with two or more objects.</summary>
    public static string CountSentenceFor(Scene scene, SceneRandom rng) =>
        Fill(rng.Pick(CountSentence), ("n", SceneLexicon.NumberWord(scene.Objects.Count)), ("shapes", "shapes"), ("list", CountList(scene)));

    /// <summary>A closing remark on style.</summary>
    public static string ClosingSentence(SceneRandom rng) => rng.Pick(Closing);

    /// <summary>One object's sentence from one of <paramref name="templates"/>: size, colour, shape, pattern,
    /// position and tilt, plus any extra slots (e.g. the subject's name).</summary>
    public static string ObjectSentence(SceneObject o, SceneRandom rng, IReadOnlyList<string> templates, params (string Slot, string Value)[] extra)
    {
        var obj = SceneLexicon.WithArticle($"{SizeWord(o.Size)} {SceneLexicon.ColourName(o.Colour)} {SceneLexicon.ShapeName(o.Shape)}");
        var pos = rng.Pick(PositionPhrases(o.Row, o.Col));
        var tilt = SceneLexicon.IsRotationallySymmetric(o.Shape) || Math.Abs(o.Rotation) < 12 ? ""
            : o.Rotation > 0 ? ", tilted slightly clockwise" : ", tilted slightly counterclockwise";
        return Fill(rng.Pick(templates),
            [("Pos", Capitalize(pos)), ("pos", pos), ("Obj", Capitalize(obj)), ("obj", obj),
             ("pattern", rng.Pick(PatternPhrases(o.Pattern))), ("tilt", tilt), .. extra]);
    }

    /// <summary>One or two true spatial relations.</summary>
    public static string RelationsSentence(Scene scene, SceneRandom rng)
    {
        var rels = scene.Relations.ToList();
        rng.Shuffle(rels);
        // at most two relations, about two different pairs of objects
        var picked = rels.Take(1).Concat(rels.Skip(1)
            .Where(r => (Math.Min(r.Subject, r.Object), Math.Max(r.Subject, r.Object)) != (Math.Min(rels[0].Subject, rels[0].Object), Math.Max(rels[0].Subject, rels[0].Object)))
            .Take(1));
        var chosen = picked.Select(r => RelationClause(scene, r)).ToList();
        return chosen.Count == 1
            ? Fill(rng.Pick(RelationSentence), ("R1", Capitalize(chosen[0])), ("r1", chosen[0]))
            : Fill(rng.Pick(TwoRelationSentence), ("R1", Capitalize(chosen[0])), ("r1", chosen[0]), ("r2", chosen[1]));
    }

    /// <summary>"the red star is to the left of the small blue circle".</summary>
    public static string RelationClause(Scene scene, SceneRelation r)
    {
        var verb = r.Kind switch
        {
            RelationKind.LeftOf => "is to the left of",
            RelationKind.Above => "is above",
            _ => "is right next to",
        };
        return $"{Reference(scene, r.Subject)} {verb} {Reference(scene, r.Object)}";
    }

    // The shortest unambiguous definite description: colour+shape, else size+colour+shape, else with its position.
    private static string Reference(Scene scene, int index)
    {
        var o = scene.Objects[index];
        var cs = $"{SceneLexicon.ColourName(o.Colour)} {SceneLexicon.ShapeName(o.Shape)}";
        if (scene.Objects.Count(x => x.Colour == o.Colour && x.Shape == o.Shape) == 1) return "the " + cs;
        if (scene.Objects.Count(x => x.Colour == o.Colour && x.Shape == o.Shape && x.Size == o.Size) == 1)
            return $"the {SizeWord(o.Size)} {cs}";
        return $"the {cs} {PositionPhrases(o.Row, o.Col)[0]}";
    }

    private static string CountList(Scene scene) =>
        JoinList(SceneRelations.ShapeCounts(scene)
            .Select(t => $"{SceneLexicon.NumberWord(t.Count)} {SceneLexicon.ShapeNoun(t.Shape, t.Count)}").ToList());

    /// <summary>Every template and phrase this writer can emit (for the vocabulary).</summary>
    public static IEnumerable<string> Phrases()
    {
        IEnumerable<string> all = [.. Overview, .. PlainBackground, .. GradientBackground, .. TextureBackground, .. ObjectSentences,
            .. RelationSentence, .. TwoRelationSentence, .. CountSentence, .. SingleCountSentence, .. Closing, .. Ordinals,
            "shape shapes medium-sized from left to right from top to bottom diagonally from the top-left corner to the bottom-right corner",
            ", tilted slightly clockwise , tilted slightly counterclockwise is to the left of is above is right next to the"];
        foreach (var s in all) yield return s;
        foreach (var p in SceneLexicon.Patterns) foreach (var s in PatternPhrases(p)) yield return s;
        for (var r = 0; r < 3; r++) for (var c = 0; c < 3; c++) foreach (var s in PositionPhrases(r, c)) yield return s;
    }
}
