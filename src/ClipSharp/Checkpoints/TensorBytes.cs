using static TorchSharp.torch;

namespace ClipSharp.Checkpoints;

/// <summary>
/// Fills a fresh contiguous CPU tensor with raw little-endian bytes, chunk by chunk, so that a single tensor may exceed
/// 2 GB (a .NET span is limited to int length; each chunk is one span over a narrowed view).
/// </summary>
internal static class TensorBytes
{
    public const int DefaultChunkBytes = 1 << 26; // 64 MiB

    /// <summary>Reads exactly the tensor's byte size from <paramref name="source"/>; swaps each element when big-endian.</summary>
    public static void Fill(Tensor t, Stream source, bool swapBytes = false, int chunkBytes = DefaultChunkBytes)
    {
        int es = (int)t.ElementSize;
        ForEachChunk(t, chunkBytes, span =>
        {
            source.ReadExactly(span);
            if (swapBytes && es > 1)
                for (int i = 0; i < span.Length; i += es) span.Slice(i, es).Reverse();
        });
    }

    /// <summary>Copies the tensor's byte size from unmanaged memory at <paramref name="source"/>.</summary>
    public static unsafe void Fill(Tensor t, nint source, int chunkBytes = DefaultChunkBytes)
    {
        long done = 0;
        ForEachChunk(t, chunkBytes, span =>
        {
            new ReadOnlySpan<byte>((byte*)(source + (nint)done), span.Length).CopyTo(span);
            done += span.Length;
        });
    }

    private delegate void SpanAction(Span<byte> span);

    private static void ForEachChunk(Tensor t, int chunkBytes, SpanAction action)
    {
        long n = t.NumberOfElements;
        if (n == 0) return;
        long per = Math.Max(1, chunkBytes / t.ElementSize);
        using var flat = t.view(-1);
        for (long start = 0; start < n; start += per)
        {
            using var part = flat.narrow(0, start, Math.Min(per, n - start));
            action(part.bytes);
        }
    }
}
