using System.Globalization;
using ClipSharp.Core;
using ClipSharp.Modeling;

namespace ClipSharp.Training.Finetuning;

/// <summary>The two encoders of a contrastive model.</summary>
public enum Tower { Image, Text }

/// <summary>One layer group of a tower: its name ("embeddings", "layer.3", "proj") and its parameters' state-dict names.</summary>
public sealed record LayerGroup(string Name, IReadOnlyList<string> Parameters);

/// <summary>A tower's layer groups, input → output, and the tower's parameters that belong to no group.</summary>
public sealed record TowerGroups(Tower Tower, IReadOnlyList<LayerGroup> Groups, IReadOnlyList<string> Ungrouped)
{
    /// <summary>Every parameter of the tower.</summary>
    public IEnumerable<string> AllParameters => Groups.SelectMany(g => g.Parameters).Concat(Ungrouped);
}

/// <summary>
/// The layer groups that tower locking and layer-wise lr decay share, as OpenCLIP main (89fb801) enumerates them in
/// <c>VisionTransformer.layer_groups</c> and <c>_text_layer_groups</c>:
/// image: <c>embeddings</c> = [conv1, class_embedding, positional_embedding, ln_pre], <c>layer.i</c> = resblock i
/// (the last one together with ln_post), <c>proj</c>; text: <c>embeddings</c> = [token_embedding,
/// positional_embedding, cls_emb], <c>layer.i</c> = resblock i (the last one together with ln_final),
/// <c>proj</c> = text_projection. A group with no parameter (no ln_pre, no projection) is left out. CoCa's
/// attentional pooler (<c>visual.attn_pool</c>) is in no group.
/// Names are OpenCLIP state-dict keys: the image tower lives under <c>visual.</c>; the text tower at the model's root
/// (CLIP, CLIPS) or under <c>text.</c> (CoCa, custom_text). Captioners (<c>text_decoder.</c>) and
/// <c>logit_scale</c>/<c>logit_bias</c> belong to neither tower.
/// </summary>
public static class TowerLayerGroups
{
    // The root-level names of a CLIP text tower (OpenCLIP copies the tower's modules onto CLIP itself).
    private static readonly string[] TextRoots = ["token_embedding", "positional_embedding", "cls_emb", "transformer", "ln_final", "text_projection"];
    private static readonly string[] ImageEmbeddings = ["conv1", "class_embedding", "positional_embedding", "ln_pre"];
    private static readonly string[] TextEmbeddings = ["token_embedding", "positional_embedding", "cls_emb"];

    /// <summary>The groups of <paramref name="tower"/> in <paramref name="model"/>.</summary>
    public static TowerGroups Of(ContrastiveModel model, Tower tower) => tower == Tower.Image && model.Config.Vision.IsResNet
        ? new TowerGroups(tower, [], model.named_parameters().Select(p => p.name).Where(n => n.StartsWith("visual.", StringComparison.Ordinal)).ToList())   // a ResNet has no groups (OpenCLIP)
        : Of(model.named_parameters().Select(p => p.name), tower, TextPrefix(model));

    /// <summary>The groups of <paramref name="tower"/> over the parameter names of a model whose text tower sits under
    /// <paramref name="textPrefix"/> ("" or "text.").</summary>
    public static TowerGroups Of(IEnumerable<string> parameterNames, Tower tower, string textPrefix)
    {
        var prefix = tower == Tower.Image ? "visual." : textPrefix;
        var local = parameterNames.Where(n => InTower(n, tower, prefix)).Select(n => n[prefix.Length..]).ToList();
        int layers = local.Select(BlockIndex).DefaultIfEmpty(-1).Max() + 1;
        var (embeddings, headNorm, projection) = tower == Tower.Image ? (ImageEmbeddings, "ln_post", "proj") : (TextEmbeddings, "ln_final", "text_projection");
        var groups = new List<LayerGroup> { Group("embeddings", local.Where(n => embeddings.Contains(FirstSegment(n)))) };
        for (int i = 0; i < layers; i++)
        {
            int block = i;
            groups.Add(Group($"layer.{i}", local.Where(n => BlockIndex(n) == block || (block == layers - 1 && FirstSegment(n) == headNorm))));
        }
        groups.Add(Group("proj", local.Where(n => FirstSegment(n) == projection)));
        groups = groups.Where(g => g.Parameters.Count > 0).ToList();
        var grouped = groups.SelectMany(g => g.Parameters).ToHashSet();
        var ungrouped = local.Where(n => !grouped.Contains(n)).ToList();
        return new TowerGroups(tower,
            groups.Select(g => g with { Parameters = g.Parameters.Select(n => prefix + n).ToList() }).ToList(),
            ungrouped.Select(n => prefix + n).ToList());
    }

    /// <summary>Where the text tower's parameters are: "" (CLIP and CLIPS: at the root) or "text." (CoCa, custom_text).</summary>
    public static string TextPrefix(ContrastiveModel model) => model switch
    {
        ClipModel { Config.CustomText: false } => "",
        ClipModel or CoCaModel => "text.",
        _ => throw new ClipSharpException($"{model.GetType().Name} has no known text tower."),
    };

    private static bool InTower(string name, Tower tower, string prefix) => tower == Tower.Image || prefix.Length > 0
        ? name.StartsWith(prefix, StringComparison.Ordinal)
        : TextRoots.Contains(FirstSegment(name));

    private static LayerGroup Group(string name, IEnumerable<string> parameters) => new(name, parameters.ToList());

    private static string FirstSegment(string name) => name.Split('.')[0];

    // i for "transformer.resblocks.i.*", else -1.
    private static int BlockIndex(string local)
    {
        var parts = local.Split('.');
        return parts.Length > 2 && parts[0] == "transformer" && parts[1] == "resblocks"
            && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1;
    }
}
