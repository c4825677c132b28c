using ClipSharp.Distributed;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Training.Distributed;

/// <summary>Turns per-rank loss shares into the job's values for logging (collective: call on every rank).</summary>
public static class DistributedMetrics
{
    /// <summary>Mean over ranks of scalar <paramref name="value"/> (detached; the same result on every rank).</summary>
    public static double MeanOverRanks(Tensor value, ICollectives c)
    {
        using var v = value.detach().to(ScalarType.Float64, CPU).reshape(1).clone();
        c.AllReduce(v, ReduceOp.Mean);
        return v.item<double>();
    }

    /// <summary>Means over ranks of several scalars in one collective, in argument order.</summary>
    public static double[] MeanOverRanks(ICollectives c, params Tensor[] values)
    {
        using var v = torch.stack(values.Select(t => t.detach().to(ScalarType.Float64, CPU).reshape(-1)[0]).ToArray());
        c.AllReduce(v, ReduceOp.Mean);
        return v.data<double>().ToArray();
    }
}
