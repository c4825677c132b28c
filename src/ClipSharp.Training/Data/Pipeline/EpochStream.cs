using ClipSharp.Data.Sources;

namespace ClipSharp.Data.Pipeline;

/// <summary>
/// The deterministic record stream of one epoch on one rank; see <see cref="DataLoader"/> for the rules. Reading
/// it parses tar headers / manifest rows but decodes nothing.
/// </summary>
internal sealed class EpochStream
{
    private readonly IReadOnlyList<IDataSource> _sources;
    private readonly LoaderOptions _o;

    public EpochStream(IReadOnlyList<IDataSource> sources, LoaderOptions options)
    {
        _sources = sources;
        _o = options;
    }

    /// <summary>Whether source <paramref name="s"/> has fewer shards than ranks (then ranks split it by sample).</summary>
    public bool SplitsBySample(int s) => _o.WorldSize > 1 && _sources[s].Shards.Count < _o.WorldSize;

    /// <summary>The shard indices of source <paramref name="s"/> this rank reads in <paramref name="epoch"/>, in order.</summary>
    public IReadOnlyList<int> ShardOrder(int s, long epoch)
    {
        int n = _sources[s].Shards.Count;
        var mine = Enumerable.Range(0, n).Where(i => SplitsBySample(s) || i % _o.WorldSize == _o.Rank).ToArray();
        if (_o.ShuffleShards && mine.Length > 1)
        {
            var rng = LoaderRandom.For(_o.Seed, epoch, $"shards/{s}");
            for (int i = mine.Length - 1; i > 0; i--)
            {
                int j = rng.NextInt(i + 1);
                (mine[i], mine[j]) = (mine[j], mine[i]);
            }
        }
        return mine;
    }

    /// <summary>All records of the epoch, in the order the loader consumes them.</summary>
    public IEnumerable<SourceRecord> Records(long epoch)
    {
        var streams = new List<IEnumerator<SourceRecord>>();
        try
        {
            for (int s = 0; s < _sources.Count; s++) streams.Add(SourceRecords(s, epoch).GetEnumerator());
            var merged = streams.Count == 1 ? Drain(streams[0]) : Interleave(streams, epoch);
            foreach (var r in Shuffle(merged, epoch)) yield return r;
        }
        finally
        {
            foreach (var e in streams) e.Dispose();
        }
    }

    private IEnumerable<SourceRecord> SourceRecords(int s, long epoch)
    {
        bool bySample = SplitsBySample(s);
        long ordinal = 0;
        foreach (var shard in ShardOrder(s, epoch))
            foreach (var r in _sources[s].Read(shard))
                if (!bySample || ordinal++ % _o.WorldSize == _o.Rank) yield return r;
    }

    private static IEnumerable<SourceRecord> Drain(IEnumerator<SourceRecord> e)
    {
        while (e.MoveNext()) yield return e.Current;
    }

    // Each draw picks a source with probability weight / total; the epoch ends when a picked source is exhausted.
    private IEnumerable<SourceRecord> Interleave(List<IEnumerator<SourceRecord>> streams, long epoch)
    {
        var weights = _sources.Select(x => x.Spec.Weight).ToArray();
        double total = weights.Sum();
        var rng = LoaderRandom.For(_o.Seed, epoch, "interleave");
        while (true)
        {
            double u = LoaderRandom.NextDouble(ref rng) * total;
            int pick = 0;
            while (pick < weights.Length - 1 && u >= weights[pick]) { u -= weights[pick]; pick++; }
            if (!streams[pick].MoveNext()) yield break;
            yield return streams[pick].Current;
        }
    }

    // Shuffle buffer: once full, each incoming record replaces a uniformly chosen buffered one, which is emitted;
    // the remainder is drained in random order.
    private IEnumerable<SourceRecord> Shuffle(IEnumerable<SourceRecord> records, long epoch)
    {
        int size = _o.ShuffleBuffer;
        if (size <= 1)
        {
            foreach (var r in records) yield return r;
            yield break;
        }
        var rng = LoaderRandom.For(_o.Seed, epoch, "samples");
        var buffer = new List<SourceRecord>(Math.Min(size, 1 << 16));
        foreach (var r in records)
        {
            if (buffer.Count < size) { buffer.Add(r); continue; }
            int j = rng.NextInt(size);
            yield return buffer[j];
            buffer[j] = r;
        }
        while (buffer.Count > 0)
        {
            int j = rng.NextInt(buffer.Count);
            yield return buffer[j];
            buffer[j] = buffer[^1];
            buffer.RemoveAt(buffer.Count - 1);
        }
    }
}
