using ClipSharp.Tests.Cli;
using ClipSharp.Tests.Evaluation;
using ClipSharp.Tests.Support;

namespace ClipSharp.Tests.Inference;

/// <summary>`embed` / `search` with --ann: the approximate index is built, saved, used and reported; off stays exact; bad values are clear errors.</summary>
[Collection("Console")]
public class AnnCliTests
{
    [AnnFact]
    public void AnnFlagBuildsUsesAndReportsTheApproximateIndex()
    {
        var (model, _) = ClipPipelineTests.RunDirectory(14);
        var images = TestPaths.NewTempDir("annimg");
        for (int i = 0; i < 8; i++) EvalTestModels.WriteImage(Path.Combine(images, $"{i}.png"), 500 + i);
        var index = Path.Combine(TestPaths.NewTempDir("annidx"), "index");

        var (code, stdout, err) = CliTests.Run("embed", images, "--index", index, "--model", model, "--ann", "on", "--ann-scalar", "i8");
        Assert.True(code == 0, err);
        Assert.Contains("approximate index: HNSW i8", stdout);
        Assert.True(File.Exists(Path.Combine(index, "ann.json")));

        (code, stdout, err) = CliTests.Run("search", index, "a red circle", "-k", "3", "--model", model, "--ann", "on", "--ann-scalar", "i8", "--ann-ef", "16");
        Assert.True(code == 0, err);
        Assert.Equal(3, stdout.Trim().Split('\n').Length);
        Assert.Contains("HNSW i8, M 16, ef 16, 8 rows; on open: loaded 8 rows", err);
        var approx = stdout;

        // without --ann-scalar the saved graph's build is reused, not rebuilt with the default f16
        (code, _, err) = CliTests.Run("search", index, "a red circle", "-k", "3", "--model", model, "--ann", "on");
        Assert.True(code == 0, err);
        Assert.Contains("HNSW i8, M 16, ef 128, 8 rows; on open: loaded 8 rows", err);

        (code, stdout, err) = CliTests.Run("search", index, "a red circle", "-k", "3", "--model", model, "--ann", "off");
        Assert.True(code == 0, err);
        Assert.Contains("(exact)", err);
        Assert.Equal(approx, stdout);   // 8 rows: the graph finds them all, and scores are exact either way

        (code, _, err) = CliTests.Run("search", index, "a red circle", "--model", model);   // auto below the threshold: exact
        Assert.True(code == 0, err);
        Assert.Contains("(exact)", err);

        (code, _, err) = CliTests.Run("search", index, "a red circle", "--model", model, "--ann", "maybe");
        Assert.Equal(2, code);
        Assert.Contains("--ann maybe: expected auto, on or off", err);
        (code, _, err) = CliTests.Run("search", index, "a red circle", "--model", model, "--ann", "on", "--ann-scalar", "f8");
        Assert.Equal(2, code);
        Assert.Contains("--ann-scalar f8", err);
        (code, _, err) = CliTests.Run("search", index, "a red circle", "--model", model, "--ann", "on", "--ann-dims", "-1");
        Assert.Equal(2, code);
        Assert.Contains("projected dims must not be negative", err);
    }
}
