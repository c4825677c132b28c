using ClipSharp.Data.Sources;

namespace ClipSharp.Data.Pipeline;

/// <summary>
/// One entry of the endless loader stream: record <paramref name="Index"/> of epoch <paramref name="Epoch"/>'s
/// sample stream, or (Record null) the end of that epoch after <paramref name="Index"/> entries.
/// </summary>
internal sealed record StreamItem(long Epoch, long Index, SourceRecord? Record)
{
    public bool IsEpochEnd => Record is null;
}

/// <summary>A processed stream entry: a prepared sample, a bad sample, or an epoch end.</summary>
internal sealed record StreamResult(StreamItem Item, ProcessedSample? Sample, BadSampleException? Bad);
