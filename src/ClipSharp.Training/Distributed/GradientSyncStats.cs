namespace ClipSharp.Distributed;

/// <summary>What one gradient or parameter synchronisation moved: tensors, flat buckets, bytes and wall time.</summary>
public sealed record GradientSyncStats(int Tensors, int Buckets, long Bytes, TimeSpan Elapsed)
{
    /// <summary>Nothing to do (a world of one, or no gradients).</summary>
    public static GradientSyncStats None { get; } = new(0, 0, 0, TimeSpan.Zero);
}
