using ClipSharp.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Training.Optim;

/// <summary>Which parameters get no weight decay.</summary>
public enum WeightDecayRule
{
    /// <summary>OpenCLIP today: the legacy rule plus positional embeddings (the towers' no_weight_decay() sets).</summary>
    OpenClip,
    /// <summary>OpenCLIP ≤ 2.x / the CLIPS fork: 1-D params and names containing "bn", "ln", "bias", "logit_scale".</summary>
    Legacy,
    /// <summary>The JAX (big_vision/OpenVision) recipe: decay only weight matrices and kernels; no decay on token and
    /// positional embeddings, class tokens and learnable queries either.</summary>
    KernelsOnly,
}

/// <summary>
/// AdamW parameter groups. OpenCLIP's rule (open_clip_train/main.py): no weight decay for 1-D parameters and any name
/// containing "bn", "ln", "bias" or "logit_scale" (substring tests); today's OpenCLIP also exempts positional
/// embeddings. Everything else (matrices, conv kernels, token embeddings, CLIPS queries) is decayed.
/// </summary>
public static class ParameterGroups
{
    /// <summary>Splits named parameters (requires_grad only) into (decay, no-decay).</summary>
    public static (List<(string Name, Parameter P)> Decay, List<(string Name, Parameter P)> NoDecay) Split(
        nn.Module model, WeightDecayRule rule = WeightDecayRule.OpenClip)
    {
        var decay = new List<(string, Parameter)>();
        var noDecay = new List<(string, Parameter)>();
        foreach (var (name, p) in model.named_parameters())
        {
            if (!p.requires_grad) continue;
            (IsNoDecay(name, p.dim(), rule) ? noDecay : decay).Add((name, p));
        }
        return (decay, noDecay);
    }

    /// <summary>True when <paramref name="name"/> (ndim <paramref name="ndim"/>) gets no weight decay under <paramref name="rule"/>.</summary>
    public static bool IsNoDecay(string name, long ndim, WeightDecayRule rule = WeightDecayRule.OpenClip)
    {
        if (ndim < 2 || name.Contains("bn") || name.Contains("ln") || name.Contains("bias") || name.Contains("logit_scale")) return true;
        return rule switch
        {
            WeightDecayRule.Legacy => false,
            // the towers' no_weight_decay() names; ModifiedResNet has none, so its attention pool's embedding is decayed
            WeightDecayRule.OpenClip => name.EndsWith("positional_embedding", StringComparison.Ordinal) && !name.EndsWith("attnpool.positional_embedding", StringComparison.Ordinal),
            WeightDecayRule.KernelsOnly => name.Contains("embedding") || name.EndsWith("cls_emb", StringComparison.Ordinal)
                || name.EndsWith("queries", StringComparison.Ordinal) || name.EndsWith("attn_pool.query", StringComparison.Ordinal),
            _ => throw new ArgumentOutOfRangeException(nameof(rule)),
        };
    }

    /// <summary>
    /// AdamW (<see cref="KeptAliveAdamW"/>) over the trainable parameters: without <paramref name="lrScales"/> the two
    /// groups (weight decay <paramref name="weightDecay"/> and 0); with them (layer-wise lr decay: parameter name →
    /// scale, absent = 1) one group per (scale, decay or not), largest scale first, as OpenCLIP's
    /// layer_decay_param_groups. Every group is a <see cref="ScaledParamGroup"/> whose lr is lr × its scale.
    /// </summary>
    public static optim.Optimizer AdamW(nn.Module model, double lr, double beta1, double beta2, double eps, double weightDecay,
        WeightDecayRule rule = WeightDecayRule.OpenClip, IReadOnlyDictionary<string, double>? lrScales = null)
    {
        var (decay, noDecay) = Split(model, rule);
        List<ScaledParamGroup> groups;
        if (lrScales is null)
            groups = [new("no_wd", 1.0, noDecay.Select(x => x.P), lr, beta1, beta2, eps, 0.0),
                      new("wd", 1.0, decay.Select(x => x.P), lr, beta1, beta2, eps, weightDecay)];
        else
            groups = noDecay.Select(x => (x, NoDecay: true)).Concat(decay.Select(x => (x, NoDecay: false)))
                .GroupBy(e => (Scale: lrScales.TryGetValue(e.x.Name, out var s) ? s : 1.0, e.NoDecay))
                .OrderByDescending(g => g.Key.Scale).ThenByDescending(g => g.Key.NoDecay)
                .Select(g => new ScaledParamGroup(FormattableString.Invariant($"lr_scale={g.Key.Scale:G4}/{(g.Key.NoDecay ? "no_wd" : "wd")}"), g.Key.Scale,
                    g.Select(e => e.x.P), lr * g.Key.Scale, beta1, beta2, eps, g.Key.NoDecay ? 0.0 : weightDecay))
                .ToList();
        return new KeptAliveAdamW(groups, lr, beta1, beta2, eps, weightDecay);
    }

    /// <summary>Sets every group's lr to <paramref name="lr"/> × its <see cref="ScaledParamGroup.LrScale"/> (1 for a plain group).</summary>
    public static void SetLearningRate(optim.Optimizer optimizer, double lr)
    {
        foreach (var g in optimizer.ParamGroups) g.LearningRate = g is ScaledParamGroup s ? lr * s.LrScale : lr;
    }

    /// <summary>One line per group: name, tensors, values, lr scale and weight decay (OpenCLIP's describe_param_groups).</summary>
    public static IEnumerable<string> Describe(optim.Optimizer optimizer) =>
        optimizer.ParamGroups.OfType<ScaledParamGroup>().Select(g => FormattableString.Invariant(
            $"{g.Name}: {g.Parameters.Count()} tensors, {g.Parameters.Sum(p => p.numel()):N0} values, lr_scale {g.LrScale:G4}, weight_decay {g.Options.weight_decay}"));

    /// <summary>Parses recipe optim.decay_rule: openclip, legacy or kernels.</summary>
    public static WeightDecayRule ParseRule(string name) => name.Trim().ToLowerInvariant() switch
    {
        "openclip" => WeightDecayRule.OpenClip,
        "legacy" => WeightDecayRule.Legacy,
        "kernels" or "kernels-only" => WeightDecayRule.KernelsOnly,
        _ => throw new Core.ClipSharpException($"Unknown optim.decay_rule \"{name}\"; expected openclip, legacy or kernels."),
    };

    /// <summary>OpenCLIP clamps the temperature after every step: logit_scale ∈ [0, ln 100].</summary>
    public static void ClampLogitScale(Parameter logitScale, double max = 4.605170185988092)
    {
        using var _ = torch.no_grad();
        logitScale.clamp_(Scalars.Of(0L), Scalars.Of(max));
    }
}
