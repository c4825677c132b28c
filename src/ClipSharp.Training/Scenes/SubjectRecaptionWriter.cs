using static ClipSharp.Scenes.CaptionText;

namespace ClipSharp.Scenes;

/// <summary>
/// The default recaption style, shaped like an MLLM recaption of a real photo (LLaVA-1.5 on DataComp, the CLIPS data):
/// the main subject first with its details, the other objects described *relative to the subject*, then the layout,
/// the scene (background) and the counts. As in the published examples (clips-spec.md §2.2: the project page's kitten
/// caption, five sentences of 20–27 word pieces that all describe the kitten), most sentences name the subject again,
/// so a random sentence (the sub-caption) usually carries the subject's colour and shape plus one more fact. The
/// subject is the scene's salient object (largest, then most central), the one human captions describe. Every object
/// still gets one sentence with all its attributes and its position; the older style (one sentence per object in
/// scene order, the subject not singled out) is <see cref="RecaptionStyle.Exhaustive"/>.
/// </summary>
public static class SubjectRecaptionWriter
{
    private static readonly string[] SubjectSentence =
    [
        "The image is dominated by {obj} {pattern}, placed {pos}{tilt}.",
        "The main subject is {obj} {pattern}, located {pos}{tilt}.",
        "At the heart of this simple graphic is {obj} {pattern}, {pos}{tilt}.",
        "This picture shows {obj} {pattern} {pos}{tilt}.",
    ];
    private static readonly string[] OtherObjectSentence =
    [
        "Besides the {s}, the image contains {obj} {pattern}, {pos}{tilt}.",
        "Apart from the {s}, {obj} {pattern} appears {pos}{tilt}.",
        "The {s} is accompanied by {obj} {pattern}, {pos}{tilt}.",
    ];
    private static readonly string[] PlainBackground =
    [
        "The {s} stands out against a flat, uniform {c} background.",
        "Behind the {s}, a plain {c} color fills the entire background.",
    ];
    private static readonly string[] GradientBackground =
    [
        "Behind the {s}, the background is a smooth gradient that fades from {c} to {c2} {dir}.",
        "The {s} sits on a soft gradient that blends {c} into {c2} {dir}.",
    ];
    private static readonly string[] TextureBackground =
    [
        "The {s} sits on a mottled {c} texture with subtle, cloudy variations.",
        "Behind the {s}, a grainy, paper-like {c} texture covers the background.",
    ];
    private static readonly string[] SingleClosing =
    [
        "The {s} is the only object in the image, drawn in a flat, clean style.",
        "Nothing else appears in the picture besides the {s}.",
    ];

    /// <summary>Writes the recaption of <paramref name="scene"/>: 4–8 sentences.</summary>
    public static string Write(Scene scene, SceneRandom rng)
    {
        var subject = scene.Salient;
        var s = $"{SceneLexicon.ColourName(subject.Colour)} {SceneLexicon.ShapeName(subject.Shape)}";
        var n = scene.Objects.Count;
        var sentences = new List<string> { RecaptionWriter.ObjectSentence(subject, rng, SubjectSentence, ("s", s)) };
        var others = scene.Objects.Where(o => !ReferenceEquals(o, subject))
            .OrderByDescending(o => (int)o.Size).ThenBy(o => Math.Abs(o.Row - 1) + Math.Abs(o.Col - 1)).ToList();
        foreach (var o in others) sentences.Add(RecaptionWriter.ObjectSentence(o, rng, OtherObjectSentence, ("s", s)));
        if (n >= 2) sentences.Add(RecaptionWriter.RelationsSentence(scene, rng));
        var bg = scene.Background;
        var template = bg.Kind switch
        {
            BackgroundKind.Plain => rng.Pick(PlainBackground),
            BackgroundKind.Gradient => rng.Pick(GradientBackground),
            _ => rng.Pick(TextureBackground),
        };
        sentences.Add(Fill(template, ("s", s), ("c2", SceneLexicon.ColourName(bg.Colour2)), ("c", SceneLexicon.ColourName(bg.Colour)),
            ("dir", RecaptionWriter.DirectionPhrase(bg.Direction))));
        sentences.Add(n == 1 ? Fill(rng.Pick(SingleClosing), ("s", s)) : RecaptionWriter.CountSentenceFor(scene, rng));
        if (n == 1 || (sentences.Count < 8 && rng.Chance(0.5))) sentences.Add(RecaptionWriter.ClosingSentence(rng));
        return string.Join(' ', sentences.Select(Capitalize));
    }

    /// <summary>Every template this writer can emit (for the vocabulary).</summary>
    public static IEnumerable<string> Phrases() =>
        [.. SubjectSentence, .. OtherObjectSentence, .. PlainBackground, .. GradientBackground, .. TextureBackground, .. SingleClosing];
}

/// <summary>How the world writes its synthetic recaptions.</summary>
public enum RecaptionStyle
{
    /// <summary>Subject first, other objects relative to it, then layout, background, counts (<see cref="SubjectRecaptionWriter"/>).</summary>
    SubjectFirst,

    /// <summary>Overview, background, one sentence per object in scene order, relations, counts (<see cref="RecaptionWriter"/>).</summary>
    Exhaustive,
}
