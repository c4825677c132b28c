using ClipSharp.Core;
using ClipSharp.Scenes;

namespace ClipSharp.Workflows.Probes;

/// <summary>
/// One label a probe predicts from an image: a property of the scene as a class index in [0, <see cref="Classes"/>).
/// <see cref="Label"/> throws <see cref="ClipSharpException"/> for a value outside the attribute's classes (a scene the
/// world's sampler cannot make, e.g. an object colour that is only a background colour).
/// </summary>
public sealed record ProbeAttribute(string Name, string Description, int Classes, Func<Scene, int> Label)
{
    /// <summary>The attributes every probe reports, in table order: the salient object's colour, shape, size, pattern
    /// and cell (its position), then the object count and the background colour.</summary>
    public static IReadOnlyList<ProbeAttribute> All { get; } =
    [
        new("colour", "colour of the salient object", SceneLexicon.ObjectColours.Count, s => IndexIn(SceneLexicon.ObjectColours, s.Salient.Colour, "object colour")),
        new("shape", "shape of the salient object", Enum.GetValues<ShapeKind>().Length, s => (int)s.Salient.Shape),
        new("size", "size of the salient object", Enum.GetValues<SizeClass>().Length, s => (int)s.Salient.Size),
        new("pattern", "pattern of the salient object", Enum.GetValues<PatternKind>().Length, s => (int)s.Salient.Pattern),
        new("cell", "cell of the salient object on the 3x3 grid (its position)", 9, s => s.Salient.Cell),
        new("count", "number of objects", 4, CountLabel),
        new("background", "background colour", SceneLexicon.BackgroundColours.Count, s => IndexIn(SceneLexicon.BackgroundColours, s.Background.Colour, "background colour")),
    ];

    /// <summary>The attributes named in <paramref name="names"/> (case-insensitive), in the order given; an unknown name
    /// is an error listing the known ones.</summary>
    public static IReadOnlyList<ProbeAttribute> Find(IEnumerable<string> names) => names.Select(n =>
        All.FirstOrDefault(a => string.Equals(a.Name, n.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new ClipSharpException($"Unknown probe attribute \"{n}\"; expected one of {string.Join(", ", All.Select(a => a.Name))}.")).ToList();

    /// <summary>Every attribute's label of <paramref name="scene"/>, in <see cref="All"/>'s order.</summary>
    public static int[] Labels(Scene scene) => All.Select(a => a.Label(scene)).ToArray();

    private static int CountLabel(Scene s) =>
        s.Objects.Count is >= 1 and <= 4 ? s.Objects.Count - 1 : throw new ClipSharpException($"{s.Objects.Count} objects (the world has 1 to 4)");

    private static int IndexIn(IReadOnlyList<SceneColour> colours, SceneColour c, string what)
    {
        for (int i = 0; i < colours.Count; i++) if (colours[i] == c) return i;
        throw new ClipSharpException($"{c} is not one of the world's {what}s");
    }
}
