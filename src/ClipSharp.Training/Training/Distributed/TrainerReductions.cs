using ClipSharp.Distributed;
using TorchSharp;

namespace ClipSharp.Training.Distributed;

/// <summary>The few scalars the training loop agrees on across ranks.</summary>
public static class TrainerReductions
{
    /// <summary>True when every rank's loss and gradient norm are finite (one skips, all skip).</summary>
    public static bool AllRanksFinite(bool finite, ICollectives dist)
    {
        using var flag = torch.tensor(finite ? 0f : 1f);
        dist.AllReduce(flag, ReduceOp.Max);
        return flag.item<float>() == 0f;
    }

    /// <summary>Replaces the loss and its parts by their mean over ranks (for logging).</summary>
    public static void MeanOverRanks(ref double loss, Dictionary<string, double> parts, ICollectives dist)
    {
        var keys = parts.Keys.ToList();
        using var t = torch.tensor(new[] { loss }.Concat(keys.Select(k => parts[k])).ToArray());
        dist.AllReduce(t, ReduceOp.Mean);
        var v = t.data<double>().ToArray();
        loss = v[0];
        for (int i = 0; i < keys.Count; i++) parts[keys[i]] = v[i + 1];
    }
}
