using System.Text;
using static ClipSharp.Scenes.CaptionText;

namespace ClipSharp.Scenes;

/// <summary>
/// Web alt-text in the manner of DataComp: short and noisy. A caption is a file name, another image's text, pure
/// boilerplate, or — the rest — the salient object with partial (sometimes wrong) attributes, maybe wrapped in
/// boilerplate ("stock vector", "wallpaper hd"), with web casing. All rates come from <see cref="WorldConfig"/>.
/// </summary>
public sealed class WebCaptionWriter(WorldConfig config)
{
    private static readonly string[] Boilerplate =
    [
        "stock vector", "wallpaper hd", "royalty free", "free download", "clip art", "stock photo",
        "vector illustration", "isolated on white", "png", "eps 10", "hd wallpaper", "free vector", "high quality",
        "printable", "sticker", "desktop background",
    ];
    private static readonly string[] ObjectTemplates =
    [
        "{obj}", "{obj}", "{obj} icon", "{obj} vector", "{obj} clipart", "{obj} symbol", "{obj} on {bgc} background",
        "{obj} logo design", "cute {obj}", "simple {obj} shape", "{obj} emoji", "{obj} drawing for kids", "{obj} on {bg}",
    ];
    private static readonly string[] NoObjectTemplates =
    [
        "abstract background", "{bgc} background", "{bgc} wallpaper", "geometric pattern design", "minimalist poster art print",
        "simple flat design template", "modern abstract art", "{bgc} texture", "icon set", "shapes", "untitled",
        "colorful shapes for kids", "{bgc} abstract background", "image", "new product", "{bg}",
    ];
    private static readonly string[] FileNames =
    [
        "img_{d4}.jpg", "dsc{d5}.jpg", "image_{d3}.png", "photo-{d6}.jpeg", "screenshot ({d2}).png", "file{d3}",
        "untitled-{d2}.jpg", "pic_{d4}.jpg", "graphic {d4}", "download ({d1}).png", "{d8}_{d3}.jpg", "shape_{d3}.png",
    ];
    private static readonly string[] Separators = [" - ", " | ", ", ", " "];

    private readonly SceneSampler _sampler = new(config);

    /// <summary>The rates used.</summary>
    public WorldConfig Config { get; } = config;

    /// <summary>Writes the alt-text of <paramref name="scene"/>.</summary>
    public WebCaption Write(Scene scene, SceneRandom rng)
    {
        var u = rng.NextDouble();
        var c = Config;
        if (u < c.WebFileNameRate) return new WebCaption(Casing(FileName(rng), rng), WebCaptionKind.FileName, false, false, false);
        if (u < c.WebFileNameRate + c.WebForeignRate)
        {
            // Another image's text: the alt-text of an independent scene (never itself foreign or a file name).
            var other = _sampler.Sample(rng.Fork());
            var text = rng.Chance(1 - c.WebNoObjectRate) ? ObjectCaption(other, rng).Text : NoObject(other, rng);
            return new WebCaption(text, WebCaptionKind.Foreign, false, false, false);
        }
        if (u < c.WebFileNameRate + c.WebForeignRate + c.WebNoObjectRate)
            return new WebCaption(NoObject(scene, rng), WebCaptionKind.NoObject, false, true, false);
        return ObjectCaption(scene, rng);
    }

    /// <summary>Words a web caption may use for a shape.</summary>
    public static IReadOnlyList<string> ShapeWords(ShapeKind s) => s switch
    {
        ShapeKind.Circle => ["circle", "dot"],
        ShapeKind.Square => ["square", "box"],
        ShapeKind.Cross => ["cross", "plus sign"],
        ShapeKind.Ring => ["ring", "donut"],
        ShapeKind.Heart => ["heart", "love heart"],
        ShapeKind.Diamond => ["diamond", "rhombus"],
        ShapeKind.Star => ["star", "star shape"],
        _ => [SceneLexicon.ShapeName(s)],
    };

    /// <summary>Words a web caption may use for a size: people's words, as in the human-style eval captions.</summary>
    public static IReadOnlyList<string> SizeWords(SizeClass s) => s switch
    {
        SizeClass.Tiny => ["tiny", "teeny", "very small"],
        SizeClass.Small => ["small", "little", "smallish"],
        SizeClass.Medium => ["medium", "mid-size"],
        _ => ["big", "large", "fairly big"],
    };

    /// <summary>Words a web caption may use for a pattern other than solid: people's words, as in the human-style eval captions.</summary>
    public static IReadOnlyList<string> PatternWords(PatternKind p) => p switch
    {
        PatternKind.Striped => ["striped", "stripy"],
        PatternKind.Dotted => ["polka dot", "dotted", "spotted"],
        _ => ["outline", "outlined", "hollow"],
    };

    /// <summary>People's words for a background: "blank … backdrop", "faded … backdrop", "speckled/rough … texture".</summary>
    public static IReadOnlyList<string> BackgroundWords(BackgroundKind k) => k switch
    {
        BackgroundKind.Plain => ["blank {bgc} backdrop", "{bgc} background"],
        BackgroundKind.Gradient => ["faded {bgc} backdrop", "{bgc} gradient background"],
        _ => ["speckled {bgc} texture", "rough {bgc} backdrop"],
    };

    /// <summary>Words a web caption may use for a colour.</summary>
    public static IReadOnlyList<string> ColourWords(SceneColour c) => c == SceneColour.Gray ? ["gray", "grey"] : [SceneLexicon.ColourName(c)];

    private WebCaption ObjectCaption(Scene scene, SceneRandom rng)
    {
        var s = scene.Salient;
        var (colour, shape) = (s.Colour, s.Shape);
        var mentionColour = !rng.Chance(Config.WebDropColourRate);
        var wrong = rng.Chance(Config.WebWrongAttributeRate);
        if (wrong)
        {
            // Wrong colour (then always mentioned) or wrong shape, half each.
            if (rng.Chance(0.5)) { colour = rng.Pick(SceneLexicon.ObjectColours.Where(x => x != s.Colour).ToList()); mentionColour = true; }
            else shape = rng.Pick(SceneLexicon.Shapes.Where(x => x != s.Shape).ToList());
        }
        var words = new List<string>();
        if (rng.Chance(0.1)) words.Add(rng.Pick(SizeWords(s.Size)));
        if (s.Pattern != PatternKind.Solid && rng.Chance(0.2)) words.Add(rng.Pick(PatternWords(s.Pattern)));
        if (mentionColour) words.Add(rng.Pick(ColourWords(colour)));
        words.Add(rng.Pick(ShapeWords(shape)));
        var text = WithBackground(Fill(rng.Pick(ObjectTemplates), ("obj", string.Join(' ', words))), scene, rng);
        var boiler = rng.Chance(Config.WebBoilerplateRate);
        if (boiler)
            text = rng.Chance(0.7) ? text + rng.Pick(Separators) + rng.Pick(Boilerplate) : rng.Pick(Boilerplate) + rng.Pick(Separators) + text;
        return new WebCaption(Casing(text, rng), WebCaptionKind.Object, wrong, boiler, mentionColour);
    }

    private static string NoObject(Scene scene, SceneRandom rng)
    {
        var text = WithBackground(rng.Pick(NoObjectTemplates), scene, rng);
        if (rng.Chance(0.6)) text += rng.Pick(Separators) + rng.Pick(Boilerplate);
        return Casing(text, rng);
    }

    // Fills {bg} (people's words for the background's kind; drawn whether or not the template uses it, so the stream
    // of draws does not depend on the template) and then {bgc} (the background colour, also inside those words).
    private static string WithBackground(string template, Scene scene, SceneRandom rng) =>
        Fill(Fill(template, ("bg", rng.Pick(BackgroundWords(scene.Background.Kind)))), ("bgc", SceneLexicon.ColourName(scene.Background.Colour)));

    private static string FileName(SceneRandom rng)
    {
        var t = rng.Pick(FileNames);
        var sb = new StringBuilder(t);
        foreach (var n in new[] { 8, 6, 5, 4, 3, 2, 1 })
        {
            var digits = new string(Enumerable.Range(0, n).Select(_ => (char)('0' + rng.Next(10))).ToArray());
            sb.Replace("{d" + n + "}", digits);
        }
        return sb.ToString();
    }

    // Web casing: mostly as is, some Title Case, a few UPPER CASE.
    private static string Casing(string s, SceneRandom rng)
    {
        var u = rng.NextDouble();
        return u < 0.3 ? TitleCase(s) : u < 0.36 ? s.ToUpperInvariant() : s;
    }

    /// <summary>Every template and phrase this writer can emit (for the vocabulary).</summary>
    public static IEnumerable<string> Phrases()
    {
        IEnumerable<string> all = [.. Boilerplate, .. ObjectTemplates, .. NoObjectTemplates, .. FileNames, .. Separators,
            "grey"];
        foreach (var s in all) yield return s;
        foreach (var s in SceneLexicon.Sizes) foreach (var w in SizeWords(s)) yield return w;
        foreach (var p in SceneLexicon.Patterns.Where(p => p != PatternKind.Solid)) foreach (var w in PatternWords(p)) yield return w;
        foreach (var k in Enum.GetValues<BackgroundKind>()) foreach (var w in BackgroundWords(k)) yield return w;
        foreach (var s in SceneLexicon.Shapes) foreach (var w in ShapeWords(s)) yield return w;
    }
}
