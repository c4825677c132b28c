using ClipSharp.Core;
using ClipSharp.Text;
using ClipSharp.Training.Objectives;
using ClipSharp.Training.Recipes;

namespace ClipSharp.Training.Tasks;

/// <summary>Builds the task a recipe names.</summary>
public static class TrainingTaskFactory
{
    /// <summary>
    /// The reduction the recipe asks for. Its seed is decided in one place, the data loader (every random choice there
    /// is a function of the loader seed, the epoch and the sample key), so none is set here.
    /// </summary>
    public static TokenReductionOptions Reduction(TaskRecipe t)
    {
        var r = new TokenReductionOptions
        {
            Strategy = TokenReductionOptions.ParseStrategy(t.Reduction.Strategy),
            Budget = t.Reduction.Budget,
            SubCaptionFillToBudget = t.Reduction.FillToBudget,
        };
        r.Validate();
        return r;
    }

    public static CaptionChoice ParseCaption(string s) => s.Trim().ToLowerInvariant() switch
    {
        "web" => CaptionChoice.Web,
        "synthetic" or "synthetic-full" => CaptionChoice.Synthetic,
        "partial" or "synthetic-reduced" => CaptionChoice.Partial,
        "mix" => CaptionChoice.Mix,
        _ => throw new ClipSharpException($"Unknown task.caption \"{s}\"; expected web, synthetic, partial or mix."),
    };

    public static ITrainingTask Create(TaskRecipe t)
    {
        var reduction = Reduction(t);
        if (t.MixWebProbability is < 0 or > 1) throw new ClipSharpException($"task.mix_web_probability must be in [0, 1], got {t.MixWebProbability}.");
        return t.Kind.Trim().ToLowerInvariant() switch
        {
            "clips" => new ClipsTask(reduction, new ClipsLoss(t.ContrastiveWeight, t.CaptionWeight)),
            "clip" => new ContrastiveTask(false, ParseCaption(t.Caption), reduction, t.MixWebProbability),
            "siglip" => new ContrastiveTask(true, ParseCaption(t.Caption), reduction, t.MixWebProbability),
            "coca" => new CoCaTask(ParseCaption(t.Caption), reduction, t.MixWebProbability, new CoCaLoss(t.ContrastiveWeight, t.CaptionWeight)),
            _ => throw new ClipSharpException($"Unknown task.kind \"{t.Kind}\"; expected clip, clips, coca or siglip."),
        };
    }
}
