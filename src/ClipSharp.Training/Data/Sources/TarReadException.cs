namespace ClipSharp.Data.Sources;

/// <summary>A damaged tar archive: <see cref="Reason"/> is a <see cref="BadSampleReasons"/> code; <see cref="MemberName"/>
/// the member whose data was cut off (truncated member), else null.</summary>
public sealed class TarReadException : Exception
{
    /// <summary>truncated_member, truncated_shard or corrupt_shard.</summary>
    public string Reason { get; }

    /// <summary>The member cut off, for truncated_member.</summary>
    public string? MemberName { get; }

    /// <summary>Creates the error.</summary>
    public TarReadException(string reason, string? memberName, string message) : base(message)
    {
        Reason = reason;
        MemberName = memberName;
    }
}
