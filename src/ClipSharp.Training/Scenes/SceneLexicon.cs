namespace ClipSharp.Scenes;

/// <summary>
/// Names, colours and sizes of the world's attribute values, shared by the renderer and the caption writers.
/// Word lists of the writers' templates are gathered by <see cref="WorldVocabulary"/>.
/// </summary>
public static class SceneLexicon
{
    /// <summary>Colours objects may have (12).</summary>
    public static IReadOnlyList<SceneColour> ObjectColours { get; } =
    [
        SceneColour.Red, SceneColour.Orange, SceneColour.Yellow, SceneColour.Green, SceneColour.Cyan, SceneColour.Blue,
        SceneColour.Purple, SceneColour.Pink, SceneColour.Brown, SceneColour.Black, SceneColour.Gray, SceneColour.White,
    ];

    /// <summary>Colours backgrounds may have (10).</summary>
    public static IReadOnlyList<SceneColour> BackgroundColours { get; } =
    [
        SceneColour.White, SceneColour.LightGray, SceneColour.Beige, SceneColour.PaleBlue, SceneColour.PaleGreen,
        SceneColour.PaleYellow, SceneColour.Lavender, SceneColour.DarkGray, SceneColour.Navy, SceneColour.Black,
    ];

    /// <summary>All shapes.</summary>
    public static IReadOnlyList<ShapeKind> Shapes { get; } = Enum.GetValues<ShapeKind>();

    /// <summary>All size classes, smallest first.</summary>
    public static IReadOnlyList<SizeClass> Sizes { get; } = Enum.GetValues<SizeClass>();

    /// <summary>All patterns.</summary>
    public static IReadOnlyList<PatternKind> Patterns { get; } = Enum.GetValues<PatternKind>();

    /// <summary>sRGB of a named colour.</summary>
    public static (byte R, byte G, byte B) Rgb(SceneColour c) => c switch
    {
        SceneColour.Red => (220, 38, 38),
        SceneColour.Orange => (247, 140, 20),
        SceneColour.Yellow => (245, 212, 25),
        SceneColour.Green => (34, 160, 60),
        SceneColour.Cyan => (25, 200, 215),
        SceneColour.Blue => (35, 75, 225),
        SceneColour.Purple => (128, 45, 180),
        SceneColour.Pink => (245, 120, 185),
        SceneColour.Brown => (125, 75, 35),
        SceneColour.Black => (22, 22, 22),
        SceneColour.Gray => (128, 128, 128),
        SceneColour.White => (250, 250, 250),
        SceneColour.LightGray => (205, 205, 205),
        SceneColour.Beige => (235, 220, 190),
        SceneColour.PaleBlue => (195, 220, 245),
        SceneColour.PaleGreen => (200, 235, 200),
        SceneColour.PaleYellow => (250, 245, 195),
        SceneColour.Lavender => (220, 205, 240),
        SceneColour.DarkGray => (70, 70, 70),
        SceneColour.Navy => (20, 30, 85),
        _ => throw new ArgumentOutOfRangeException(nameof(c), c, null),
    };

    /// <summary>RGB distance between two named colours.</summary>
    public static double Distance(SceneColour a, SceneColour b)
    {
        var (x, y) = (Rgb(a), Rgb(b));
        double dr = x.R - y.R, dg = x.G - y.G, db = x.B - y.B;
        return Math.Sqrt(dr * dr + dg * dg + db * db);
    }

    /// <summary>Object colours that stand out from every visible colour of a background.</summary>
    public static IReadOnlyList<SceneColour> ColoursVisibleOn(SceneBackground bg, double minContrast) =>
        ObjectColours.Where(c => bg.VisibleColours.All(b => Distance(c, b) >= minContrast)).ToList();

    /// <summary>The colour's name in captions ("light gray").</summary>
    public static string ColourName(SceneColour c) => c switch
    {
        SceneColour.LightGray => "light gray",
        SceneColour.PaleBlue => "pale blue",
        SceneColour.PaleGreen => "pale green",
        SceneColour.PaleYellow => "pale yellow",
        SceneColour.DarkGray => "dark gray",
        _ => c.ToString().ToLowerInvariant(),
    };

    /// <summary>The shape's noun.</summary>
    public static string ShapeName(ShapeKind s) => s.ToString().ToLowerInvariant();

    /// <summary>The shape's plural noun.</summary>
    public static string ShapePlural(ShapeKind s) => s == ShapeKind.Cross ? "crosses" : ShapeName(s) + "s";

    /// <summary>Noun for a count of a shape ("circle" for 1, "circles" otherwise).</summary>
    public static string ShapeNoun(ShapeKind s, int count) => count == 1 ? ShapeName(s) : ShapePlural(s);

    /// <summary>True for shapes that look the same at any rotation.</summary>
    public static bool IsRotationallySymmetric(ShapeKind s) => s is ShapeKind.Circle or ShapeKind.Ring;

    /// <summary>Object radius as a fraction of one grid cell.</summary>
    public static double RadiusOf(SizeClass s) => s switch
    {
        SizeClass.Tiny => 0.17,
        SizeClass.Small => 0.25,
        SizeClass.Medium => 0.34,
        SizeClass.Large => 0.44,
        _ => throw new ArgumentOutOfRangeException(nameof(s), s, null),
    };

    /// <summary>The size's plain adjective.</summary>
    public static string SizeWord(SizeClass s) => s.ToString().ToLowerInvariant();

    /// <summary>The pattern's plain adjective.</summary>
    public static string PatternWord(PatternKind p) => p.ToString().ToLowerInvariant();

    /// <summary>Number word for 0..10.</summary>
    public static string NumberWord(int n) => n switch
    {
        0 => "no", 1 => "one", 2 => "two", 3 => "three", 4 => "four", 5 => "five",
        6 => "six", 7 => "seven", 8 => "eight", 9 => "nine", 10 => "ten", _ => n.ToString(),
    };

    /// <summary>"a" or "an" for the word that follows.</summary>
    public static string Article(string nextWord) => nextWord.Length > 0 && "aeiou".Contains(nextWord[0]) ? "an" : "a";

    /// <summary>"a red star" / "an orange ring".</summary>
    public static string WithArticle(string phrase) => $"{Article(phrase)} {phrase}";

    /// <summary>The canonical name of a grid cell ("top left", "center", "bottom right").</summary>
    public static string CellName(int row, int col)
    {
        var r = row switch { 0 => "top", 1 => "middle", _ => "bottom" };
        var c = col switch { 0 => "left", 1 => "center", _ => "right" };
        return (row, col) == (1, 1) ? "center" : $"{r} {c}";
    }

    /// <summary>Every attribute name, for the vocabulary.</summary>
    public static IEnumerable<string> Phrases()
    {
        foreach (var c in Enum.GetValues<SceneColour>()) yield return ColourName(c);
        foreach (var s in Shapes) { yield return ShapeName(s); yield return ShapePlural(s); }
        foreach (var s in Sizes) yield return SizeWord(s);
        foreach (var p in Patterns) yield return PatternWord(p);
        for (var n = 0; n <= 10; n++) yield return NumberWord(n);
        for (var r = 0; r < 3; r++) for (var c = 0; c < 3; c++) yield return CellName(r, c);
        yield return "a an";
    }
}
