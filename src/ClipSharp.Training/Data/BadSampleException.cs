using ClipSharp.Core;

namespace ClipSharp.Data;

/// <summary>
/// A sample that cannot be used, with the reason (one of <see cref="BadSampleReasons"/>), where it came from and its
/// key. The loader skips and counts these; in strict mode it throws the first one.
/// </summary>
public sealed class BadSampleException : ClipSharpException
{
    /// <summary>The reason code.</summary>
    public string Reason { get; }

    /// <summary>The shard, manifest or file.</summary>
    public string Origin { get; }

    /// <summary>The sample key (or a description such as "(shard)" for shard-level failures).</summary>
    public string Key { get; }

    /// <summary>The detail without origin and key.</summary>
    public string Detail { get; }

    /// <summary>Creates the error; the message names origin, key, reason and detail in one sentence.</summary>
    public BadSampleException(string reason, string origin, string key, string detail, Exception? inner = null)
        : base($"{origin}, sample \"{key}\": {detail} ({reason}).", inner ?? new InvalidOperationException(detail))
    {
        Reason = reason;
        Origin = origin;
        Key = key;
        Detail = detail;
    }
}
