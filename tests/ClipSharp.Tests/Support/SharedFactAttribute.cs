namespace ClipSharp.Tests.Support;

/// <summary>A fact that needs the read-only shared fixtures (../shared/fixtures): skipped with the reason where they are missing.</summary>
public sealed class SharedFactAttribute : FactAttribute
{
    public SharedFactAttribute()
    {
        if (!Fixtures.SharedPresent) Skip = Fixtures.SharedMissingReason;
    }
}
