using System.Diagnostics;
using ClipSharp.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ClipSharp.Distributed;

/// <summary>
/// Data-parallel synchronisation: every rank holds the same model, sees different data, and after backward the
/// gradients are averaged so that every rank takes the identical optimizer step. Tensors are packed in flat buckets
/// (consecutive tensors of one dtype and device up to ~bucketBytes) so a model costs a few large collectives
/// instead of one per parameter. Every rank must pass the same tensors in the same order (a module's registration
/// order is); a rank whose set of gradients differs is caught before any bucket is reduced.
/// </summary>
public static class DataParallel
{
    /// <summary>25 MiB, PyTorch DDP's default bucket size.</summary>
    public const long DefaultBucketBytes = 25L << 20;

    /// <summary>Overwrites every parameter and buffer of <paramref name="model"/> with rank <paramref name="root"/>'s values.</summary>
    public static GradientSyncStats BroadcastParameters(Module model, ICollectives c, int root = 0, long bucketBytes = DefaultBucketBytes)
    {
        if (c.WorldSize == 1) return GradientSyncStats.None;
        var tensors = model.parameters().Cast<Tensor>().Concat(model.buffers()).ToList();
        return Bucketed(tensors, bucketBytes, b => c.Broadcast(b, root));
    }

    /// <summary>
    /// Replaces each parameter's gradient by its mean over ranks. Parameters without a gradient (not used in this
    /// step on any rank) are skipped; they must be the same on every rank.
    /// </summary>
    public static GradientSyncStats AllReduceGradients(IEnumerable<Parameter> parameters, ICollectives c, long bucketBytes = DefaultBucketBytes)
    {
        if (c.WorldSize == 1) return GradientSyncStats.None;
        var grads = new List<Tensor>();
        foreach (var p in parameters)
            if (p.requires_grad && p.grad is { } g) grads.Add(g);
        CheckSameGradients(grads, c);
        return Bucketed(grads, bucketBytes, b => c.AllReduce(b, ReduceOp.Mean));
    }

    // One 4-integer all-reduce (max of n and of -n is min) proves that every rank has the same number of gradient
    // tensors and elements; otherwise the bucket collectives would pair unrelated buffers or wait forever.
    private static void CheckSameGradients(List<Tensor> grads, ICollectives c)
    {
        long n = grads.Count, elems = grads.Sum(g => g.numel());
        using var probe = torch.tensor(new[] { n, -n, elems, -elems });
        c.AllReduce(probe, ReduceOp.Max);
        var v = probe.data<long>().ToArray();
        if (v[0] != -v[1] || v[2] != -v[3])
            throw new ClipSharpException($"Rank {c.Rank} has {n} gradients ({elems} values) but another rank has a different set; every rank must run the same forward/backward.");
    }

    /// <summary>Applies <paramref name="op"/> (an in-place collective) to <paramref name="tensors"/> bucket by bucket.</summary>
    internal static GradientSyncStats Bucketed(IReadOnlyList<Tensor> tensors, long bucketBytes, Action<Tensor> op)
    {
        var sw = Stopwatch.StartNew();
        int buckets = 0;
        long bytes = 0;
        using (torch.no_grad())
        {
            int i = 0;
            while (i < tensors.Count)
            {
                int j = i + 1;
                long size = TensorBuffers.ByteCount(tensors[i]);
                while (j < tensors.Count && tensors[j].dtype == tensors[i].dtype && tensors[j].device_type == tensors[i].device_type && tensors[j].device_index == tensors[i].device_index
                       && size + TensorBuffers.ByteCount(tensors[j]) <= bucketBytes)
                    size += TensorBuffers.ByteCount(tensors[j++]);
                RunBucket(tensors, i, j, op);
                buckets++;
                bytes += size;
                i = j;
            }
        }
        return new GradientSyncStats(tensors.Count, buckets, bytes, sw.Elapsed);
    }

    private static void RunBucket(IReadOnlyList<Tensor> tensors, int from, int to, Action<Tensor> op)
    {
        if (to - from == 1)
        {
            op(tensors[from]);  // the collectives stage non-contiguous tensors themselves
            return;
        }
        var parts = new List<Tensor>();
        for (int k = from; k < to; k++) parts.Add(tensors[k].reshape(-1));
        using var flat = torch.cat(parts);
        foreach (var p in parts) p.Dispose();
        op(flat);
        long off = 0;
        for (int k = from; k < to; k++)
        {
            var t = tensors[k];
            using var slice = flat.narrow(0, off, t.numel());
            using var shaped = slice.view(t.shape);
            t.copy_(shaped);
            off += t.numel();
        }
    }
}
