using System.Text.Json.Serialization;

namespace ClipSharp.Scenes;

/// <summary>
/// One object of a scene. <paramref name="Row"/>/<paramref name="Col"/> pick a cell of the 3×3 grid (row 0 = top,
/// col 0 = left); <paramref name="Dx"/>/<paramref name="Dy"/> jitter the centre inside that cell, in cell units
/// (the sampler keeps the object inside its cell); <paramref name="Rotation"/> is in degrees, clockwise.
/// </summary>
public sealed record SceneObject(
    ShapeKind Shape,
    SceneColour Colour,
    SizeClass Size,
    PatternKind Pattern,
    int Row,
    int Col,
    double Dx = 0,
    double Dy = 0,
    double Rotation = 0)
{
    /// <summary>Centre x in cell units, 0..3 across the image.</summary>
    [JsonIgnore]
    public double CenterX => Col + 0.5 + Dx;

    /// <summary>Centre y in cell units, 0..3 down the image.</summary>
    [JsonIgnore]
    public double CenterY => Row + 0.5 + Dy;

    /// <summary>Radius in cell units.</summary>
    [JsonIgnore]
    public double Radius => SceneLexicon.RadiusOf(Size);

    /// <summary>The cell index 0..8, row-major.</summary>
    [JsonIgnore]
    public int Cell => Row * 3 + Col;

    /// <summary>True when both objects have the same shape, colour, size and pattern (position ignored).</summary>
    public bool LooksLike(SceneObject other) =>
        Shape == other.Shape && Colour == other.Colour && Size == other.Size && Pattern == other.Pattern;
}
