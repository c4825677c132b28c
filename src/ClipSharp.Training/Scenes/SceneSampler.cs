namespace ClipSharp.Scenes;

/// <summary>
/// Draws scenes from the world's distribution: a background, then 1–4 objects on distinct cells with colours that
/// contrast with the background, jitter that keeps each object inside its cell, and mild photometric noise.
/// </summary>
public sealed class SceneSampler(WorldConfig config)
{
    /// <summary>The configuration this sampler draws from.</summary>
    public WorldConfig Config { get; } = config;

    /// <summary>A random scene with between MinObjects and MaxObjects objects.</summary>
    public Scene Sample(SceneRandom rng) => Sample(rng, rng.NextInclusive(Config.MinObjects, Config.MaxObjects));

    /// <summary>A random scene with exactly <paramref name="objectCount"/> objects (1–9).</summary>
    public Scene Sample(SceneRandom rng, int objectCount)
    {
        var background = SampleBackground(rng);
        var cells = Enumerable.Range(0, 9).ToList();
        rng.Shuffle(cells);
        var objects = new List<SceneObject>(objectCount);
        for (var i = 0; i < objectCount; i++) objects.Add(SampleObject(rng, background, cells[i] / 3, cells[i] % 3));
        return new Scene(background, objects, SampleNoise(rng));
    }

    /// <summary>A random background.</summary>
    public SceneBackground SampleBackground(SceneRandom rng)
    {
        var u = rng.NextDouble();
        var kind = u < Config.PlainBackgroundRate ? BackgroundKind.Plain
            : u < Config.PlainBackgroundRate + Config.GradientBackgroundRate ? BackgroundKind.Gradient
            : BackgroundKind.Texture;
        var colours = SceneLexicon.BackgroundColours;
        var c1 = rng.Pick(colours);
        // Gradients join two light or two dark colours, so some object colours still contrast with both ends.
        var sameTone = colours.Where(c => c != c1 && IsDark(c) == IsDark(c1)).ToList();
        var c2 = kind == BackgroundKind.Gradient ? rng.Pick(sameTone) : c1;
        var dir = (GradientDirection)rng.Next(3);
        var seed = rng.Next(1_000_000);
        return kind switch
        {
            BackgroundKind.Plain => new SceneBackground(kind, c1),
            BackgroundKind.Gradient => new SceneBackground(kind, c1, c2, dir),
            _ => new SceneBackground(kind, c1, c1, GradientDirection.Horizontal, seed),
        };
    }

    /// <summary>A random object in the given cell whose colour shows on <paramref name="background"/>.</summary>
    public SceneObject SampleObject(SceneRandom rng, SceneBackground background, int row, int col)
    {
        var size = rng.Pick(SceneLexicon.Sizes);
        var jitter = JitterLimit(size);
        return new SceneObject(
            rng.Pick(SceneLexicon.Shapes),
            rng.Pick(SceneLexicon.ColoursVisibleOn(background, Config.MinContrast)),
            size,
            rng.Pick(SceneLexicon.Patterns),
            row, col,
            Math.Round(rng.Uniform(-jitter, jitter), 4),
            Math.Round(rng.Uniform(-jitter, jitter), 4),
            Math.Round(rng.Uniform(-Config.MaxRotation, Config.MaxRotation), 2));
    }

    /// <summary>Largest jitter that keeps an object of this size inside its cell.</summary>
    public double JitterLimit(SizeClass size) => Math.Max(0, Math.Min(Config.MaxJitter, 0.5 - SceneLexicon.RadiusOf(size) - 0.02));

    /// <summary>Random photometric noise within the configured limits.</summary>
    public PhotometricNoise SampleNoise(SceneRandom rng) => new(
        rng.Next(int.MaxValue),
        Math.Round(rng.Uniform(-Config.MaxBrightness, Config.MaxBrightness), 4),
        Math.Round(1 + rng.Uniform(-Config.MaxContrastChange, Config.MaxContrastChange), 4),
        Config.NoiseStd);

    private static bool IsDark(SceneColour c)
    {
        var (r, g, b) = SceneLexicon.Rgb(c);
        return 0.299 * r + 0.587 * g + 0.114 * b < 128;
    }
}
