using System.Runtime.InteropServices;

namespace ClipSharp.Tests.Support;

/// <summary>Why the approximate-index tests cannot run here, or null: USearch's native library needs OpenMP's runtime
/// (libgomp.so.1, Debian `libgomp1`, installed by .ci/run and present wherever gcc is).</summary>
public static class AnnRuntime
{
    /// <summary>The skip reason, or null when libgomp.so.1 loads.</summary>
    public static string? Missing { get; } = NativeLibrary.TryLoad("libgomp.so.1", out var h) && Free(h)
        ? null : "libgomp.so.1 is not installed (apt-get install libgomp1): USearch's native library cannot load";

    private static bool Free(IntPtr h) { NativeLibrary.Free(h); return true; }
}

/// <summary>A fact that needs the approximate index's native runtime: skipped with the reason where it is missing.</summary>
public sealed class AnnFactAttribute : FactAttribute
{
    public AnnFactAttribute() { if (AnnRuntime.Missing is { } m) Skip = m; }
}

/// <summary>A theory that needs the approximate index's native runtime: skipped with the reason where it is missing.</summary>
public sealed class AnnTheoryAttribute : TheoryAttribute
{
    public AnnTheoryAttribute() { if (AnnRuntime.Missing is { } m) Skip = m; }
}
