using System.Text.Json.Serialization;

namespace ClipSharp.Scenes;

/// <summary>A scene: a background, 1–4 objects on distinct cells of a 3×3 grid, and the photometric noise of its image.</summary>
public sealed record Scene(SceneBackground Background, IReadOnlyList<SceneObject> Objects, PhotometricNoise? Noise = null)
{
    /// <summary>The noise to apply (none when absent).</summary>
    [JsonIgnore]
    public PhotometricNoise EffectiveNoise => Noise ?? PhotometricNoise.None;

    /// <summary>
    /// The object a short caption names first: the largest, ties broken by closeness to the image centre, then by order.
    /// </summary>
    [JsonIgnore]
    public SceneObject Salient => Objects
        .Select((o, i) => (o, i))
        .OrderByDescending(t => (int)t.o.Size)
        .ThenBy(t => Math.Abs(t.o.Row - 1) + Math.Abs(t.o.Col - 1))
        .ThenBy(t => t.i)
        .First().o;

    /// <summary>The relations that hold between the objects (see <see cref="SceneRelations"/>).</summary>
    [JsonIgnore]
    public IReadOnlyList<SceneRelation> Relations => SceneRelations.Of(this);
}
