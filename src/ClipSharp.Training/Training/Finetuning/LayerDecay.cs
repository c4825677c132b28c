using ClipSharp.Core;
using ClipSharp.Modeling;
using ClipSharp.Training.Recipes;

namespace ClipSharp.Training.Finetuning;

/// <summary>
/// Layer-wise learning-rate decay (LLRD), per tower, as OpenCLIP main's <c>layer_decay_param_groups</c> (the BEiT /
/// timm <c>param_groups_layer_decay</c> rule over OpenCLIP's groups): with a tower of L blocks the groups of
/// <see cref="TowerLayerGroups"/> get layer ids 0 = embeddings, i = block i − 1 (the last block with the final norm),
/// L + 1 = the projection head, and a parameter's lr is lr × decay^(L + 1 − layer_id): the head trains at the full
/// lr, the embeddings at lr × decay^(L + 1). (For a tower without a projection the last block is the head.) Everything
/// outside the decayed towers (logit_scale, captioners, CoCa's attentional pooler, an undecayed tower) keeps scale 1.
/// The scale multiplies the scheduled lr of every step (<see cref="Optim.ParameterGroups.SetLearningRate"/>).
/// </summary>
public static class LayerDecay
{
    /// <summary>The (image, text) decays a recipe asks for: null where off (1.0). Each must lie in (0, 1].</summary>
    public static (double? Image, double? Text) FromRecipe(OptimRecipe o)
    {
        double image = o.ImageLayerDecay ?? o.LayerDecay, text = o.TextLayerDecay ?? o.LayerDecay;
        Check("optim.image_layer_decay", image);
        Check("optim.text_layer_decay", text);
        return (image == 1.0 ? null : image, text == 1.0 ? null : text);
    }

    private static void Check(string key, double decay)
    {
        if (!(decay > 0 && decay <= 1))
            throw new ClipSharpException($"{key} (or optim.layer_decay) must be in (0, 1] (1 = off), got {decay}.");
    }

    /// <summary>The lr scale of every parameter of the decayed towers (the others: 1, absent here).</summary>
    public static Dictionary<string, double> Scales(ContrastiveModel model, double? imageDecay, double? textDecay)
    {
        var scales = new Dictionary<string, double>();
        if (imageDecay is not null and not 1.0 && model.Config.Vision.IsResNet)
            throw new ClipSharpException("Layer-wise lr decay of the image tower needs a ViT (layer groups); this model's image tower is a ResNet.");
        if (imageDecay is { } di) Add(scales, TowerLayerGroups.Of(model, Tower.Image), di);
        if (textDecay is { } dt) Add(scales, TowerLayerGroups.Of(model, Tower.Text), dt);
        return scales;
    }

    /// <summary>decay^(n − 1 − index) for each of a tower's n groups, by name (OpenCLIP's lr_scales_for_groups).</summary>
    public static IReadOnlyList<(string Group, double Scale)> GroupScales(TowerGroups tower, double decay)
    {
        int n = tower.Groups.Count;
        return tower.Groups.Select((g, i) => (g.Name, Math.Pow(decay, n - 1 - i))).ToList();
    }

    private static void Add(Dictionary<string, double> scales, TowerGroups tower, double decay)
    {
        var byGroup = GroupScales(tower, decay);
        for (int i = 0; i < tower.Groups.Count; i++)
            foreach (var name in tower.Groups[i].Parameters) scales[name] = byGroup[i].Scale;
    }
}
