using ClipSharp.Scenes;

namespace ClipSharp.Workflows.Quickstart;

/// <summary>
/// What one quickstart run trains on and with: the world's size and folder (under OUT), the image tower and the recipe
/// overrides applied to both models (the long budget's, then the user's).
/// </summary>
/// <param name="WorldTrain">Training samples the world holds.</param>
/// <param name="WorldFolder">The world's folder name under the output folder.</param>
/// <param name="Tower">Image tower of both models.</param>
/// <param name="Overrides">Recipe overrides for both models, in order (later wins).</param>
public sealed record QuickstartPlan(int WorldTrain, string WorldFolder, QuickstartTower Tower, IReadOnlyList<string> Overrides)
{
    /// <summary>The default quickstart's world size (the generator's default).</summary>
    public static readonly int DefaultWorldTrain = new WorldGenerationOptions("").Train;

    /// <summary>
    /// The plan the options ask for. The default: the ViT on the 20k world with the recipes' budget. `--long`: the
    /// ResNet tower unless a tower is named, <see cref="QuickstartRunner.LongOverrides"/> and a world of
    /// <see cref="QuickstartRunner.LongWorldTrain"/> samples in its own folder (OUT/world-long), so the default world is kept.
    /// </summary>
    public static QuickstartPlan For(QuickstartOptions o)
    {
        var tower = o.Tower ?? (o.Long ? QuickstartTower.ResNet : QuickstartTower.Vit);
        var train = o.Long ? QuickstartRunner.LongWorldTrain : DefaultWorldTrain;
        var folder = train == DefaultWorldTrain ? "world" : "world-long";
        return new QuickstartPlan(train, folder, tower, [.. o.Long ? QuickstartRunner.LongOverrides : [], .. o.Overrides]);
    }
}
