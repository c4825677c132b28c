using ClipSharp.Modeling;
using ClipSharp.Training.Optim;
using ClipSharp.Training.Recipes;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Training.Finetuning;

/// <summary>The fine-tuning controls of a recipe, applied between building the model and training it.</summary>
public static class FineTuneSetup
{
    /// <summary>
    /// Locks what <c>lock.*</c> asks for (<see cref="TowerLock"/>), then builds AdamW over the trainable parameters with
    /// the recipe's weight-decay rule and layer-wise lr decay (<see cref="LayerDecay"/>); says what it did through
    /// <paramref name="log"/>.
    /// </summary>
    public static optim.Optimizer Optimizer(ContrastiveModel model, Recipe recipe, Action<string>? log = null)
    {
        var o = recipe.Optim;
        var (imageDecay, textDecay) = LayerDecay.FromRecipe(o);
        var frozen = TowerLock.Apply(model, recipe.Lock);
        if (frozen.Count > 0) log?.Invoke(TowerLock.Describe(model, frozen));
        if (recipe.Lock.ImageFreezeBnStats) FreezeBatchNorms(model, recipe.Lock, log);
        var scales = imageDecay is null && textDecay is null ? null : LayerDecay.Scales(model, imageDecay, textDecay);
        var optimizer = ParameterGroups.AdamW(model, o.Lr, o.Beta1, o.Beta2, o.Eps, o.WeightDecay, ParameterGroups.ParseRule(o.DecayRule), scales);
        if (scales is not null)
        {
            log?.Invoke(FormattableString.Invariant($"layer-wise lr decay: image {(object?)imageDecay ?? "off"}, text {(object?)textDecay ?? "off"}"));
            foreach (var line in ParameterGroups.Describe(optimizer)) log?.Invoke($"  {line}");
        }
        return optimizer;
    }

    // OpenCLIP applies freeze_bn_stats inside the image tower's lock: a ResNet's BatchNorms then keep their running
    // statistics, in training too; a ViT has none
    private static void FreezeBatchNorms(ContrastiveModel model, LockRecipe lk, Action<string>? log)
    {
        if (model is ClipModel { visual: ModifiedResNet rn } && lk.Image)
        {
            rn.FreezeBatchNormStats = true;
            log?.Invoke("lock.image_freeze_bn_stats: the ResNet image tower's batch norms keep their running statistics");
        }
        else if (!lk.Image) throw new ClipSharp.Core.ClipSharpException("lock.image_freeze_bn_stats needs lock.image (OpenCLIP freezes the statistics of a locked image tower only).");
        else log?.Invoke("lock.image_freeze_bn_stats: a ViT image tower has no batch norm, nothing to freeze");
    }
}
