using ClipSharp.Serving;
using ClipSharp.Tests.Support;

namespace ClipSharp.Tests.Serving;

/// <summary>The served root's path check: ".." folded, sibling prefixes, symlinked files and folders followed.</summary>
public class ServedRootTests
{
    [Fact]
    public void OnlyFilesReallyUnderTheRootPass()
    {
        var top = TestPaths.NewTempDir("root-check");
        var root = Path.Combine(top, "root");
        var sibling = Path.Combine(top, "root-evil");
        Directory.CreateDirectory(Path.Combine(root, "a"));
        Directory.CreateDirectory(sibling);
        File.WriteAllText(Path.Combine(root, "a", "x.png"), "x");
        File.WriteAllText(Path.Combine(sibling, "y.png"), "y");
        File.CreateSymbolicLink(Path.Combine(root, "inside-link.png"), Path.Combine(root, "a", "x.png"));
        File.CreateSymbolicLink(Path.Combine(root, "outside-link.png"), Path.Combine(sibling, "y.png"));
        var r = new ServedRoot(root + "/");

        Assert.Equal(Path.Combine(root, "a", "x.png"), r.ResolveClientPath("a/x.png"));
        Assert.Equal(Path.Combine(root, "a", "x.png"), r.ResolveClientPath("a/./../a/x.png"));
        Assert.Equal(Path.Combine(root, "inside-link.png"), r.ResolveClientPath("inside-link.png"));
        Assert.Equal("a/x.png", r.Relative(Path.Combine(root, "a", "x.png")));
        Assert.True(r.Contains(Path.Combine(root, "a", "x.png")));
        Assert.False(r.Contains(Path.Combine(sibling, "y.png")));
        foreach (var bad in new[] { "../root-evil/y.png", sibling + "/y.png", "outside-link.png", "a/../../root-evil/y.png" })
            Assert.Equal(403, Assert.Throws<ApiException>(() => r.ResolveClientPath(bad)).Status);
        Assert.Equal(404, Assert.Throws<ApiException>(() => r.ResolveClientPath("a/missing.png")).Status);
        Assert.Equal(404, Assert.Throws<ApiException>(() => r.ResolveClientPath("a")).Status);   // a folder is not a file
        Assert.Equal(400, Assert.Throws<ApiException>(() => r.ResolveClientPath("a/x\0.png")).Status);
        Assert.Equal(400, Assert.Throws<ApiException>(() => r.ResolveClientPath("a/x\t.png")).Status);
    }
}
