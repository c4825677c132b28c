namespace ClipSharp.Data;

/// <summary>
/// Thread-safe accumulator of skipped samples: counts by reason, keeps and logs the first occurrence of each reason.
/// </summary>
public sealed class BadSampleLog
{
    private readonly object _gate = new();
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BadSampleOccurrence> _first = new(StringComparer.Ordinal);
    private readonly Action<string>? _log;

    /// <summary>Creates the log; <paramref name="log"/> receives one line for the first sample of each reason.</summary>
    public BadSampleLog(Action<string>? log = null) => _log = log;

    /// <summary>Counts one skipped sample.</summary>
    public void Record(BadSampleException bad)
    {
        bool first;
        lock (_gate)
        {
            _counts[bad.Reason] = _counts.GetValueOrDefault(bad.Reason) + 1;
            first = _first.TryAdd(bad.Reason, new BadSampleOccurrence(bad.Origin, bad.Key, bad.Message));
        }
        if (first) _log?.Invoke($"skipping bad sample: {bad.Message} Further samples with reason {bad.Reason} are counted, not logged.");
    }

    /// <summary>A consistent snapshot.</summary>
    public BadSampleReport Snapshot()
    {
        lock (_gate)
            return new BadSampleReport(new Dictionary<string, long>(_counts), new Dictionary<string, BadSampleOccurrence>(_first));
    }
}
