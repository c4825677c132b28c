using ClipSharp.Core;
using ClipSharp.Data.Pipeline;
using ClipSharp.Data.Sources;

namespace ClipSharp.Data;

/// <summary>
/// Streams training batches from one or more sources: shard shuffling, a sample shuffle buffer, decode workers on
/// threads, a bounded prefetch queue, batching into TorchSharp tensors, skip-and-count of bad samples, and exact
/// mid-epoch resume.
/// </summary>
/// <remarks>
/// <para><b>Epoch stream.</b> An epoch is one pass over this rank's shards. Shard i of a source goes to rank
/// i % WorldSize; when a source has fewer shards than ranks, every rank reads all its shards and keeps the records
/// whose running index is congruent to its rank (a notice is logged), so ranks never overlap. Each epoch the rank's
/// shard list of each source is permuted with a stream of (seed, epoch, source index). With several sources, each draw
/// picks a source with probability weight / total weights from the stream (seed, epoch) and the epoch ends as soon as
/// a picked source is exhausted (so weights are the mixing proportions; every source restarts each epoch). The merged
/// records pass a shuffle buffer of <see cref="LoaderOptions.ShuffleBuffer"/> driven by (seed, epoch). The result is
/// a pure function of (sources, seed, epoch, rank, world size): worker count and thread timing never change it.</para>
/// <para><b>Per-sample randomness</b> (crop, jitter, token reduction, caption mix) is a pure function of (seed,
/// epoch, key) (see <see cref="ClipSharp.Text.ReductionRandom"/>).</para>
/// <para><b>Positions.</b> Every record of the epoch stream, good or bad, counts as one entry; a batch's position is
/// the number of entries consumed through its last sample. Batches never span epochs: the last incomplete batch is
/// dropped (or yielded, without <see cref="LoaderOptions.DropLast"/>). <c>Batches(position)</c> re-reads the epoch
/// stream up to the position without loading or decoding the skipped records and then yields exactly what an
/// uninterrupted run would have yielded.</para>
/// <para><b>Bad input</b> becomes a <see cref="BadSampleException"/> per record, skipped and counted in
/// <see cref="BadSamples"/> (first occurrence of each reason logged), or thrown in strict mode.</para>
/// </remarks>
public sealed class DataLoader : IDisposable
{
    private readonly EpochStream _stream;
    private readonly SampleProcessor _processor;
    private readonly BadSampleLog _bad;

    /// <summary>The options.</summary>
    public LoaderOptions Options { get; }

    /// <summary>The opened sources, in option order.</summary>
    public IReadOnlyList<IDataSource> Sources { get; }

    /// <summary>Opens the sources and prepares the transforms; throws <see cref="ClipSharpException"/> for unusable options.</summary>
    public DataLoader(LoaderOptions options)
    {
        options.Validate();
        Options = options;
        Sources = options.Sources.Select(DataSources.Open).ToArray();
        _stream = new EpochStream(Sources, options);
        _processor = new SampleProcessor(options);
        _bad = new BadSampleLog(options.Log);
        for (int s = 0; s < Sources.Count; s++)
            if (_stream.SplitsBySample(s))
                options.Log?.Invoke($"data source \"{Sources[s].Spec.Path}\" has {Sources[s].Shards.Count} shard(s) for {options.WorldSize} ranks: " +
                                    $"every rank reads all of them and keeps every {options.WorldSize}th sample.");
    }

    /// <summary>Skipped samples so far, by reason (thread-safe snapshot).</summary>
    public BadSampleReport BadSamples => _bad.Snapshot();

    /// <summary>The record stream of one epoch on this rank (nothing is decoded; for inspection and tests).</summary>
    public IEnumerable<SourceRecord> EpochRecords(long epoch) => _stream.Records(epoch);

    /// <summary>
    /// Batches from <paramref name="start"/> (default: the start of epoch 0) on, endlessly over epochs. Dispose the
    /// enumerator (leave the foreach) to stop the workers. Throws <see cref="ClipSharpException"/> when an epoch
    /// yields no batch at all (fewer usable samples than a batch), and the first bad sample in strict mode.
    /// </summary>
    public IEnumerable<TrainBatch> Batches(LoaderPosition? start = null)
    {
        var from = start ?? LoaderPosition.Start;
        if (from.Epoch < 0 || from.SamplesInEpoch < 0) throw new ClipSharpException($"Invalid loader position {from}.");
        return Run(from);
    }

    private IEnumerable<TrainBatch> Run(LoaderPosition from)
    {
        int window = Math.Max(Options.PrefetchBatches * Options.BatchSize, 2 * Options.Workers);
        using var map = new OrderedParallelMap<StreamItem, StreamResult>(Endless(from), Process, Options.Workers, window);
        var pending = new List<ProcessedSample>(Options.BatchSize);
        var shape = new PreprocessShape(Options.Preprocess.Height, Options.Preprocess.Width);
        long batchesInEpoch = 0, badInEpoch = 0;
        while (map.TryTake(out var r))
        {
            var item = r.Item;
            if (item.IsEpochEnd)
            {
                if (!Options.DropLast && pending.Count > 0)
                {
                    yield return BatchAssembler.Build(pending, shape, new LoaderPosition(item.Epoch, item.Index));
                    batchesInEpoch++;
                }
                bool fullEpoch = item.Epoch != from.Epoch || from.SamplesInEpoch == 0;
                if (batchesInEpoch == 0 && fullEpoch)
                    throw new ClipSharpException($"Epoch {item.Epoch} on rank {Options.Rank} produced no batch: {item.Index} samples " +
                        $"({badInEpoch} bad) for a batch size of {Options.BatchSize}. {BadSamples.Summary()}.");
                pending.Clear();
                batchesInEpoch = badInEpoch = 0;
                continue;
            }
            if (r.Bad is { } bad)
            {
                if (Options.Strict) throw bad;
                _bad.Record(bad);
                badInEpoch++;
                continue;
            }
            pending.Add(r.Sample!);
            if (pending.Count == Options.BatchSize)
            {
                yield return BatchAssembler.Build(pending, shape, new LoaderPosition(item.Epoch, item.Index + 1));
                batchesInEpoch++;
                pending.Clear();
            }
        }
    }

    private IEnumerable<StreamItem> Endless(LoaderPosition from)
    {
        long skip = from.SamplesInEpoch;
        for (long epoch = from.Epoch; ; epoch++, skip = 0)
        {
            long index = 0;
            foreach (var record in _stream.Records(epoch))
            {
                if (index >= skip) yield return new StreamItem(epoch, index, record);
                index++;
            }
            yield return new StreamItem(epoch, index, null);
        }
    }

    private StreamResult Process(StreamItem item)
    {
        if (item.Record is null) return new StreamResult(item, null, null);
        try { return new StreamResult(item, _processor.Process(item.Record, item.Epoch), null); }
        catch (BadSampleException e) { return new StreamResult(item, null, e); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var bad = new BadSampleException(BadSampleReasons.UnexpectedError, item.Record.Origin, item.Record.Key,
                $"{e.GetType().Name}: {e.Message.Split('\n')[0]}", e);
            return new StreamResult(item, null, bad);
        }
    }

    /// <summary>Nothing is held between enumerations; each <see cref="Batches"/> enumerator owns its workers.</summary>
    public void Dispose() { }
}
