using ClipSharp.Core;
using ClipSharp.Modeling;
using ClipSharp.Training.Recipes;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Training.Finetuning;

/// <summary>
/// Locks towers as OpenCLIP's <c>lock_image_tower(unlocked_groups)</c> and <c>lock_text_tower(unlocked_layers)</c> do
/// over <see cref="TowerLayerGroups"/>: the first len − N groups are frozen (N = 0: all of them; N ≥ len: none) and the
/// last N stay trainable. A locked tower's parameters in no group (CoCa's attentional pooler) are frozen for every N,
/// as in OpenCLIP v3.3.0, which freezes the whole tower before unlocking groups (OpenCLIP main leaves them
/// untouched). Frozen parameters get requires_grad = false; the optimizer then leaves them out
/// (<see cref="Optim.ParameterGroups.Split"/>), so they stay bit-identical, and checkpoints still hold them.
/// </summary>
public static class TowerLock
{
    /// <summary>Freezes what <paramref name="recipe"/> locks; returns the frozen parameters' names.</summary>
    public static IReadOnlyList<string> Apply(ContrastiveModel model, LockRecipe recipe)
    {
        var frozen = FrozenNames(model, recipe);
        var set = frozen.ToHashSet();
        foreach (var (name, p) in model.named_parameters())
            if (set.Contains(name)) p.requires_grad = false;
        return frozen;
    }

    /// <summary>The parameters <paramref name="recipe"/> freezes in <paramref name="model"/>, in model order.</summary>
    public static IReadOnlyList<string> FrozenNames(ContrastiveModel model, LockRecipe recipe)
    {
        if (recipe.ImageUnlockedGroups < 0) throw new ClipSharpException($"lock.image_unlocked_groups must be >= 0, got {recipe.ImageUnlockedGroups}.");
        if (recipe.TextUnlockedLayers < 0) throw new ClipSharpException($"lock.text_unlocked_layers must be >= 0, got {recipe.TextUnlockedLayers}.");
        if (recipe.Image && recipe.ImageUnlockedGroups > 0 && model.Config.Vision.IsResNet)
            throw new ClipSharpException($"lock.image_unlocked_groups = {recipe.ImageUnlockedGroups}: a ResNet image tower has no layer groups and locks only whole (0), as in OpenCLIP.");
        var frozen = new HashSet<string>();
        if (recipe.Image) frozen.UnionWith(Frozen(TowerLayerGroups.Of(model, Tower.Image), recipe.ImageUnlockedGroups, _ => false));
        if (recipe.Text)
        {
            var norms = recipe.TextFreezeLayerNorm ? [] : LayerNormParameters(model);
            frozen.UnionWith(Frozen(TowerLayerGroups.Of(model, Tower.Text), recipe.TextUnlockedLayers, norms.Contains));
        }
        return model.named_parameters().Select(p => p.name).Where(frozen.Contains).ToList();
    }

    /// <summary>
    /// The names frozen when <paramref name="tower"/> is locked with its last <paramref name="unlocked"/> groups left
    /// trainable; <paramref name="keepTrainable"/> exempts parameters of frozen groups (the LayerNorms, for a text
    /// tower locked without freezing them).
    /// </summary>
    public static IEnumerable<string> Frozen(TowerGroups tower, int unlocked, Func<string, bool> keepTrainable)
    {
        int freeze = tower.Groups.Count - unlocked;               // OpenCLIP: len(groups) - unlocked (0 → all)
        return tower.Groups.Take(Math.Max(0, freeze)).SelectMany(g => g.Parameters).Where(n => !keepTrainable(n))
            .Concat(tower.Ungrouped);
    }

    /// <summary>The names of every LayerNorm weight and bias of <paramref name="model"/>.</summary>
    public static HashSet<string> LayerNormParameters(nn.Module model)
    {
        var set = new HashSet<string>();
        foreach (var (name, module) in model.named_modules())
            if (module is TorchSharp.Modules.LayerNorm)
                foreach (var (p, _) in module.named_parameters())
                    set.Add(name.Length == 0 ? p : $"{name}.{p}");
        return set;
    }

    /// <summary>One line saying what is frozen, for the run log.</summary>
    public static string Describe(ContrastiveModel model, IReadOnlyList<string> frozen)
    {
        var all = model.named_parameters().ToList();
        var set = frozen.ToHashSet();
        long frozenCount = all.Where(p => set.Contains(p.name)).Sum(p => p.parameter.numel());
        long total = all.Sum(p => p.parameter.numel());
        return $"locked: {frozen.Count} of {all.Count} parameter tensors frozen ({frozenCount:N0} of {total:N0} values); {total - frozenCount:N0} trainable";
    }
}
