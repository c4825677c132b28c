using ClipSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Training.Optim;

/// <summary>
/// AdamW state as named tensors, keyed by the parameter's state-dict name: NAME.exp_avg, NAME.exp_avg_sq, NAME.step
/// (int64 scalar). Names, not positions, so a checkpoint survives a change of parameter-group order.
/// </summary>
public static class OptimizerState
{
    static Dictionary<IntPtr, string> Names(nn.Module model) =>
        model.named_parameters().ToDictionary(np => np.parameter.Handle, np => np.name);

    static IEnumerable<(string Name, TorchSharp.Modules.AdamW.State State)> States(optim.Optimizer optimizer, nn.Module model)
    {
        var names = Names(model);
        var sd = (optimizer as TorchSharp.Modules.OptimizerHelper ?? throw new NotSupportedException("Only TorchSharp built-in optimizers carry readable state.")).state_dict();
        var ps = optimizer.ParamGroups.Cast<TorchSharp.Modules.ParamGroup>().SelectMany(g => g.Parameters).ToList();
        if (ps.Count != sd.State.Count) throw new InvalidOperationException($"optimizer has {ps.Count} parameters but {sd.State.Count} states");
        for (int i = 0; i < ps.Count; i++)
        {
            var st = sd.State[i] as TorchSharp.Modules.AdamW.State
                ?? throw new NotSupportedException($"Optimizer state {sd.State[i].GetType().Name} is not AdamW's.");
            if (!names.TryGetValue(ps[i].Handle, out var name)) throw new InvalidOperationException("optimizer parameter not found in the model");
            yield return (name, st);
        }
    }

    /// <summary>Copies of every state tensor (CPU), named.</summary>
    public static Dictionary<string, Tensor> Capture(optim.Optimizer optimizer, nn.Module model)
    {
        var d = new Dictionary<string, Tensor>();
        foreach (var (name, st) in States(optimizer, model))
        {
            d[$"{name}.exp_avg"] = st.exp_avg.detach().cpu().clone();
            d[$"{name}.exp_avg_sq"] = st.exp_avg_sq.detach().cpu().clone();
            d[$"{name}.step"] = torch.tensor(st.step);
        }
        return d;
    }

    /// <summary>Restores the state written by <see cref="Capture"/>; every parameter must be present.</summary>
    public static void Restore(optim.Optimizer optimizer, nn.Module model, IReadOnlyDictionary<string, Tensor> saved, string source)
    {
        using var _ = torch.no_grad();
        foreach (var (name, st) in States(optimizer, model))
        {
            Tensor Get(string k) => saved.TryGetValue(k, out var t) ? t
                : throw new ClipSharpException($"Optimizer state {source} has no '{k}' (was it written for another model?).");
            var avg = Get($"{name}.exp_avg");
            var sq = Get($"{name}.exp_avg_sq");
            if (!avg.shape.SequenceEqual(st.exp_avg.shape))
                throw new ClipSharpException($"Optimizer state {source}: '{name}.exp_avg' has shape [{string.Join(",", avg.shape)}], the model needs [{string.Join(",", st.exp_avg.shape)}].");
            st.exp_avg.copy_(avg);
            st.exp_avg_sq.copy_(sq);
            st.step = Get($"{name}.step").item<long>();
        }
    }
}
