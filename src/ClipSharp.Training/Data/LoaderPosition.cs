namespace ClipSharp.Data;

/// <summary>
/// Where a <see cref="DataLoader"/> stands: <paramref name="SamplesInEpoch"/> entries of epoch <paramref name="Epoch"/>'s
/// sample stream (after shard and sample shuffling; bad samples count as entries) have been consumed. Stored in
/// trainer checkpoints; <c>Batches(position)</c> continues with entry <paramref name="SamplesInEpoch"/>.
/// </summary>
public sealed record LoaderPosition(long Epoch, long SamplesInEpoch)
{
    /// <summary>The start of epoch 0.</summary>
    public static LoaderPosition Start { get; } = new(0, 0);
}
