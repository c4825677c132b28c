namespace ClipSharp.Data.Sources;

/// <summary>
/// A dataset split into shards (tar files, or row ranges of a manifest): the unit of shard shuffling and of the
/// split across ranks. Reading a shard yields its records in a fixed order; failures to open or read become
/// error records, never exceptions.
/// </summary>
public interface IDataSource
{
    /// <summary>The spec it was opened from.</summary>
    DataSourceSpec Spec { get; }

    /// <summary>Shard names (paths, or "manifest#rows a-b"), in the source's canonical order.</summary>
    IReadOnlyList<string> Shards { get; }

    /// <summary>The records of shard <paramref name="index"/>, in order.</summary>
    IEnumerable<SourceRecord> Read(int index);
}
