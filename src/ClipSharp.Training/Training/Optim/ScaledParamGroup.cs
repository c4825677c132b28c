using TorchSharp.Modules;

namespace ClipSharp.Training.Optim;

/// <summary>
/// An AdamW parameter group with a name and an lr scale (layer-wise lr decay): its lr is the scheduled lr × the scale
/// (<see cref="ParameterGroups.SetLearningRate"/>). Neither is saved: both follow from the recipe, and the optimizer's
/// moments are saved by parameter name, so a resumed run rebuilds the same groups.
/// </summary>
public sealed class ScaledParamGroup(string name, double lrScale, IEnumerable<Parameter> parameters, double lr, double beta1,
    double beta2, double eps, double weightDecay) : AdamW.ParamGroup(parameters, lr, beta1, beta2, eps, weightDecay)
{
    /// <summary>"no_wd", "wd", or "lr_scale=S/no_wd|wd".</summary>
    public string Name { get; } = name;

    /// <summary>The factor on the scheduled lr.</summary>
    public double LrScale { get; } = lrScale;
}
