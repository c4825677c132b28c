using System.Runtime.InteropServices;
using ClipSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Distributed;

/// <summary>Raw host memory of tensors for the native collectives.</summary>
internal static class TensorBuffers
{
    // at::Tensor::data_ptr() (storage start + storage offset); TorchSharp keeps its own binding internal.
    [DllImport("LibTorchSharp")]
    private static extern IntPtr THSTensor_data(IntPtr handle);

    /// <summary>Address of the first element of a contiguous tensor.</summary>
    public static IntPtr DataPointer(Tensor t)
    {
        var p = THSTensor_data(t.Handle);
        if (p == IntPtr.Zero && t.numel() > 0) throw new InvalidOperationException("libtorch returned no data pointer for a non-empty tensor.");
        return p;
    }

    public static long ByteCount(Tensor t) => t.numel() * t.element_size();

    public static void CheckReducible(Tensor t, ReduceOp op)
    {
        if (op == ReduceOp.Mean && !t.is_floating_point())
            throw new ClipSharpException($"AllReduce Mean needs a floating-point tensor, not {t.dtype}.");
        if (t.is_complex()) throw new ClipSharpException($"AllReduce does not support complex tensors ({t.dtype}).");
    }

    /// <summary>
    /// Runs <paramref name="action"/> on a contiguous CPU tensor holding t's values: t itself when it already is one,
    /// otherwise a staged copy that is copied back into t afterwards when <paramref name="writeBack"/>.
    /// </summary>
    public static void WithHostBuffer(Tensor t, bool writeBack, Action<Tensor> action)
    {
        if (t.device_type == DeviceType.CPU && t.is_contiguous())
        {
            action(t);
            return;
        }
        using var detached = t.detach();
        using var onCpu = detached.cpu();
        using var host = onCpu.contiguous();
        action(host);
        if (writeBack)
            using (torch.no_grad())
                t.copy_(host);
    }

    /// <summary>Splits <paramref name="count"/> units into chunks that fit an MPI int count.</summary>
    public static IEnumerable<(long Offset, int Count)> Chunks(long count, int maxChunk = 1 << 30)
    {
        for (long off = 0; off < count; off += maxChunk)
            yield return (off, (int)Math.Min(maxChunk, count - off));
    }
}
