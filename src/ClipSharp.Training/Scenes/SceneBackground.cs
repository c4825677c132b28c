using System.Text.Json.Serialization;

namespace ClipSharp.Scenes;

/// <summary>
/// The background. <paramref name="Colour2"/> is the gradient's end colour (ignored otherwise);
/// <paramref name="TextureSeed"/> seeds the noise texture so a scene renders identically from its JSON.
/// </summary>
public sealed record SceneBackground(
    BackgroundKind Kind,
    SceneColour Colour,
    SceneColour Colour2 = SceneColour.White,
    GradientDirection Direction = GradientDirection.Horizontal,
    int TextureSeed = 0)
{
    /// <summary>The colours that are visible in the background.</summary>
    [JsonIgnore]
    public IReadOnlyList<SceneColour> VisibleColours =>
        Kind == BackgroundKind.Gradient ? [Colour, Colour2] : [Colour];
}
