namespace ClipSharp.Data.Sources;

/// <summary>
/// One entry of a source's sample stream: its key and origin, and either a loader for the sample (run by a decode
/// worker; it reads files and parses fields, and throws <see cref="BadSampleException"/> for bad input) or the error
/// found while reading the stream itself (a truncated member, a damaged or unreadable shard).
/// </summary>
public sealed class SourceRecord
{
    private readonly Func<Sample>? _load;

    /// <summary>The sample key.</summary>
    public string Key { get; }

    /// <summary>The shard or manifest path.</summary>
    public string Origin { get; }

    /// <summary>The read-time error, or null.</summary>
    public BadSampleException? Error { get; }

    /// <summary>A loadable record.</summary>
    public SourceRecord(string key, string origin, Func<Sample> load)
    {
        Key = key;
        Origin = origin;
        _load = load;
    }

    /// <summary>A record that failed while reading.</summary>
    public SourceRecord(BadSampleException error)
    {
        Key = error.Key;
        Origin = error.Origin;
        Error = error;
    }

    /// <summary>The sample; throws the read-time error or a <see cref="BadSampleException"/> for bad input.</summary>
    public Sample Load()
    {
        if (Error is not null) throw Error;
        return _load!();
    }
}
