using ClipSharp.Evaluation;
using ClipSharp.Scenes;
using ClipSharp.Tests.Cli;
using ClipSharp.Tests.Evaluation;
using ClipSharp.Tests.Support;

namespace ClipSharp.Tests.Inference;

/// <summary>The eval / embed / search / classify / caption commands end to end on a tiny run directory and a small world.</summary>
[Collection("Console")]
public class InferenceCliTests
{
    [Fact]
    public void CommandsRunOnARunDirectoryAndAWorld()
    {
        var (model, _) = ClipPipelineTests.RunDirectory(12);
        var world = TestPaths.NewTempDir("cliworld");
        WorldGenerator.Generate(new WorldGenerationOptions(world, Train: 0, Eval: 6, Bags: 6, Threads: 2));
        var outDir = TestPaths.NewTempDir("cliout");

        var (code, stdout, err) = CliTests.Run("eval", "retrieval", "--world", world, "--model", model, "-o", Path.Combine(outDir, "r.json"));
        Assert.True(code == 0, err);
        Assert.Contains("image_retrieval_recall@1", stdout);
        Assert.Equal("zeroshot_retrieval", BenchmarkResult.Read(Path.Combine(outDir, "r.json")).Task);

        (code, stdout, err) = CliTests.Run("eval", "bags", "--world", world, "--model", model, "--batch-size", "8");
        Assert.True(code == 0, err);
        Assert.Contains("caption_self_retrieval_acc", stdout);

        var images = Path.Combine(world, "eval");
        var one = Directory.EnumerateFiles(images, "*.*", SearchOption.AllDirectories).First(f => f.EndsWith(".jpg") || f.EndsWith(".png"));
        (code, stdout, err) = CliTests.Run("classify", one, "--labels", "red circle, blue square", "--model", model, "--templates", "openai-selected");
        Assert.True(code == 0, err);
        Assert.Contains("blue square", stdout);

        (code, stdout, err) = CliTests.Run("caption", one, "--model", model);
        Assert.True(code == 0, err);
        Assert.False(string.IsNullOrWhiteSpace(stdout));

        var index = Path.Combine(outDir, "index");
        (code, stdout, err) = CliTests.Run("embed", images, "--index", index, "--model", model);
        Assert.True(code == 0, err);
        Assert.Contains("6 added", stdout);
        (code, stdout, err) = CliTests.Run("search", index, "a red circle", "--image", one, "-k", "3", "--model", model);
        Assert.True(code == 0, err);
        Assert.Equal(3, stdout.Trim().Split('\n').Length);

        (code, _, err) = CliTests.Run("search", index, "--model", model);
        Assert.Equal(2, code);
        Assert.Contains("text query", err);
        (code, _, err) = CliTests.Run("classify", one, "--labels", "x,y", "--model", Path.Combine(outDir, "nope"));
        Assert.Equal(2, code);
        Assert.Single(err.Trim().Split('\n'));
    }
}
