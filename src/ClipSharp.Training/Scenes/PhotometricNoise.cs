namespace ClipSharp.Scenes;

/// <summary>
/// Mild camera-like noise applied after drawing: <c>v' = (v - 128)·Contrast + 128 + 255·Brightness + N(0, 255·NoiseStd)</c>
/// per channel, with the Gaussian noise drawn from <paramref name="Seed"/>.
/// </summary>
public sealed record PhotometricNoise(int Seed = 0, double Brightness = 0, double Contrast = 1, double NoiseStd = 0)
{
    /// <summary>No noise at all.</summary>
    public static PhotometricNoise None { get; } = new();
}
