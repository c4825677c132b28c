using System.Diagnostics;

namespace ClipSharp.Tests.Support;

/// <summary>Test temp folders live under one per-process root; roots of dead processes are swept.</summary>
public class TestPathsTests
{
    [Fact]
    public void TempDirsLiveUnderThisProcesssRoot()
    {
        var dir = TestPaths.NewTempDir("tp");
        Assert.True(Directory.Exists(dir));
        Assert.Equal(TestPaths.TempRoot, Path.GetDirectoryName(dir));
        Assert.Equal(TestPaths.Parent, Path.GetDirectoryName(TestPaths.TempRoot));
        Assert.StartsWith($"{Environment.ProcessId}-", Path.GetFileName(TestPaths.TempRoot));
        Assert.NotEqual(dir, TestPaths.NewTempDir("tp"));
    }

    [Fact]
    public void RootsOfProcessesThatNoLongerRunAreDeleted()
    {
        _ = TestPaths.TempRoot;
        long started = TestPaths.StartSeconds(Process.GetCurrentProcess());
        string tag = Guid.NewGuid().ToString("N")[..8];
        var dead = Path.Combine(TestPaths.Parent, $"999999999-{started}-{tag}");                       // no such pid
        var reused = Path.Combine(TestPaths.Parent, $"{Environment.ProcessId}-{started - 3600}-{tag}"); // this pid, an hour earlier
        var alive = Path.Combine(TestPaths.Parent, $"{Environment.ProcessId}-{started}-{tag}");         // this process
        var other = Path.Combine(TestPaths.Parent, $"notaroot-{tag}");
        var trash = Path.Combine(TestPaths.Parent, $"trash-{tag}");                                       // left by an exit that was cut short
        foreach (var d in new[] { dead, reused, alive, other, trash })
        {
            Directory.CreateDirectory(Path.Combine(d, "sub"));
            File.WriteAllText(Path.Combine(d, "sub", "f.txt"), "x");
            Directory.SetLastWriteTimeUtc(d, DateTime.UtcNow.AddHours(-1));
        }
        var fresh = Path.Combine(TestPaths.Parent, $"999999998-{started}-{tag}");   // dead, but written to a moment ago
        Directory.CreateDirectory(fresh);
        try
        {
            TestPaths.DeleteStaleRoots();
            Assert.False(Directory.Exists(dead));
            Assert.False(Directory.Exists(reused));
            Assert.False(Directory.Exists(trash));
            Assert.True(Directory.Exists(alive));
            Assert.True(Directory.Exists(other));
            Assert.True(Directory.Exists(fresh));
            Assert.True(Directory.Exists(TestPaths.TempRoot));
        }
        finally
        {
            foreach (var d in new[] { dead, reused, alive, other, fresh, trash })
                if (Directory.Exists(d)) Directory.Delete(d, recursive: true);
        }
    }
}
