using ClipSharp.Core;
using Xunit;

namespace ClipSharp.Tests.Core;

public class NativeAllocatorTests
{
    [Fact]
    public void Tuning_is_applied_once_on_linux_glibc_unless_the_user_configured_malloc()
    {
        bool first = NativeAllocator.EnsureTuned();
        Assert.Equal(first, NativeAllocator.EnsureTuned());
        bool userSet = new[] { "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "GLIBC_TUNABLES" }
            .Any(k => Environment.GetEnvironmentVariable(k) is { Length: > 0 })
            || Environment.GetEnvironmentVariable("CLIPSHARP_MALLOC_TUNING") == "0";
        if (OperatingSystem.IsLinux() && !userSet && File.Exists("/lib/x86_64-linux-gnu/libc.so.6")) Assert.True(first);
        if (userSet) Assert.False(first);
    }
}
