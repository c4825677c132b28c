using ClipSharp.Tests.Cli;
using ClipSharp.Tests.Inference;
using ClipSharp.Tests.Support;

namespace ClipSharp.Tests.Serving;

/// <summary>`clipsharp serve`'s refusals: one clear line and exit code 2, nothing created, nothing listening.</summary>
[Collection("Console")]
public class ServeCliTests(ServingFixture fx) : IClassFixture<ServingFixture>
{
    [Fact]
    public void BadIndexRootOrBindingIsAClearError()
    {
        var missing = Path.Combine(TestPaths.NewTempDir("serve-cli"), "no-index");
        var (code, _, err) = CliTests.Run("serve", "--index", missing, "--model", fx.Model);
        Assert.Equal(2, code);
        Assert.Contains(missing, err);
        Assert.False(Directory.Exists(missing));

        (code, _, err) = CliTests.Run("serve", "--index", fx.Index, "--model", fx.Model, "--urls", "http://0.0.0.0:0");
        Assert.Equal(2, code);
        Assert.Contains("--api-key", err);

        (code, _, err) = CliTests.Run("serve", "--index", fx.Index, "--model", fx.Model, "--root", Path.Combine(fx.Root, "images", "sub-that-is-missing"));
        Assert.Equal(2, code);
        Assert.Contains("--root", err);

        (code, _, err) = CliTests.Run("serve", "--index", fx.Index, "--model", fx.Model, "--timeout", "0");
        Assert.Equal(2, code);
        Assert.Contains("--timeout", err);

        var (other, _) = ClipPipelineTests.RunDirectory(32);
        (code, _, err) = CliTests.Run("serve", "--index", fx.Index, "--model", other);
        Assert.Equal(2, code);
        Assert.Contains("was built with model", err);
    }
}
