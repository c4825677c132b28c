namespace ClipSharp.Tests.Support;

/// <summary>A theory that needs the read-only shared files (../shared: fixtures, vocabularies, bench JPEGs): skipped with the reason where they are missing.</summary>
public sealed class SharedTheoryAttribute : TheoryAttribute
{
    public SharedTheoryAttribute()
    {
        if (!Fixtures.SharedPresent) Skip = Fixtures.SharedMissingReason;
    }
}
