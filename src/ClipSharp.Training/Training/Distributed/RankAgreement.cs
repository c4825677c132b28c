using ClipSharp.Core;
using ClipSharp.Data;
using ClipSharp.Distributed;
using ClipSharp.Training.Checkpointing;
using TorchSharp;

namespace ClipSharp.Training.Distributed;

/// <summary>What the ranks of one data-parallel run must agree on when it starts or resumes, and what a checkpoint keeps per rank.</summary>
public static class RankAgreement
{
    /// <summary>Throws unless every rank starts at the same step (collective).</summary>
    // Every rank must start from the same step: a rank that cannot see the run folder (not on a shared file system)
    // would start from scratch while the others resume, and the job would silently diverge or deadlock.
    public static void CheckSameStart(long step, ICollectives dist)
    {
        using var t = torch.tensor(new[] { step, -step });
        dist.AllReduce(t, ReduceOp.Max);
        var v = t.data<long>().ToArray();
        if (v[0] != -v[1])
            throw new ClipSharpException($"Rank {dist.Rank} starts at step {step} but another rank at step {(v[0] == step ? -v[1] : v[0])}: " +
                "with --resume every rank must see the same run folder (put it on a file system shared by all nodes).");
    }

    /// <summary>Every rank's data position, in rank order (collective).</summary>
    // Ranks read different shards, so each has its own data position; a checkpoint keeps all of them (rank order).
    public static List<LoaderPosition> GatherPositions(LoaderPosition p, ICollectives dist)
    {
        using var mine = torch.tensor(new[] { p.Epoch, p.SamplesInEpoch }).view(1, 2);
        using var all = dist.AllGather(mine);
        var v = all.data<long>().ToArray();
        return Enumerable.Range(0, dist.WorldSize).Select(r => new LoaderPosition(v[2 * r], v[2 * r + 1])).ToList();
    }

    /// <summary>This rank's data position in a run resumed from <paramref name="state"/>.</summary>
    // This rank's position in a resumed run: its own entry when the checkpoint was written by a world of this size;
    // otherwise (another world size shards the data differently) rank 0's position, which is only approximate.
    public static LoaderPosition? RankPosition(TrainerState state, ICollectives dist, Action<string>? log)
    {
        if (state.Step == 0) return state.Data;
        if (state.RankData is { } all && all.Count == dist.WorldSize) return all[dist.Rank];
        log?.Invoke($"the checkpoint was written by {state.RankData?.Count ?? 1} rank(s), not {dist.WorldSize}: every rank continues from rank 0's data position (the sample order differs from an uninterrupted run)");
        return state.Data;
    }
}
