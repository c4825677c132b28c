using System.Formats.Tar;
using System.Text;
using System.Text.Json.Nodes;
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

        // --by-statement: the held-out file of the world, with the world's oracle beside the model's figures
        var heldOut = Path.Combine(world, WorldEvalFiles.HeldOutEvalFile);
        (code, stdout, err) = CliTests.Run("eval", "retrieval", "--karpathy", heldOut, "--by-statement", "--model", model, "-o", Path.Combine(outDir, "s.json"));
        Assert.True(code == 0, err);
        Assert.Contains("by what the caption states", stdout);
        var split = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "s.json")))!["by_statement"]!;
        var oracle = WorldOracle.Read(world)[WorldEvalFiles.HeldOutEvalFile];
        Assert.Equal(oracle["omits_size/image_retrieval_recall@1"], split["oracle"]!["omits_size/image_retrieval_recall@1"]!.GetValue<double>());
        var total = split["model"]!["states_size/captions"]!.GetValue<double>() + split["model"]!["omits_size/captions"]!.GetValue<double>();
        Assert.Equal(RetrievalDataset.FromKarpathyJson(heldOut, Path.Combine(world, "eval")).Captions.Count, (int)total);
        (code, _, err) = CliTests.Run("eval", "retrieval", "--karpathy", WriteWithoutMentions(heldOut, outDir), "--images", Path.Combine(world, "eval"), "--by-statement", "--model", model);
        Assert.NotEqual(0, code);
        Assert.Contains("mention", err);

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

    [Fact]
    public void EvalRetrievalReadsWebDatasetShardsAndReportsBadSamples()
    {
        var (model, _) = ClipPipelineTests.RunDirectory(13);
        var dir = TestPaths.NewTempDir("cliwds");
        var shard = Path.Combine(dir, "coco-test.tar");
        using (var tar = new TarWriter(File.Create(shard), TarEntryFormat.Ustar, leaveOpen: false))
        {
            void Add(string name, byte[] data) => tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
            for (int i = 0; i < 3; i++)
            {
                var png = Path.Combine(dir, $"{i}.png");
                EvalTestModels.WriteImage(png, 70 + i);
                Add($"k{i}.png", File.ReadAllBytes(png));
                Add($"k{i}.json", Encoding.UTF8.GetBytes($"{{\"caps\": [\"caption {i}\", \"another {i}\"]}}"));
            }
            Add("bad.png", Encoding.UTF8.GetBytes("not a png"));
            Add("bad.json", Encoding.UTF8.GetBytes("{\"caps\": [\"x\"]}"));
        }
        var json = Path.Combine(dir, "r.json");
        var (code, stdout, err) = CliTests.Run("eval", "retrieval", "--wds", shard, "--caption-field", "caps", "--model", model, "-o", json);
        Assert.True(code == 0, err);
        Assert.Contains("3 images, 6 captions; 1 bad sample: corrupt_image 1", stdout);
        Assert.Contains("text_retrieval_recall@5", stdout);
        var o = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
        Assert.Equal("coco-test", o["dataset"]!.GetValue<string>());
        Assert.Equal(1.0, o["metrics"]!["image_retrieval_recall@5"]!.GetValue<double>());   // 3 images: every caption's image is in the top 5
        Assert.Equal(1, o["bad_samples"]!["by_reason"]!["corrupt_image"]!["count"]!.GetValue<long>());
        Assert.Equal("bad", o["bad_samples"]!["by_reason"]!["corrupt_image"]!["first"]!["key"]!.GetValue<string>());
    }

    // The same eval file with every caption's "mention" record removed (a plain Karpathy file).
    private static string WriteWithoutMentions(string karpathy, string dir)
    {
        var root = JsonNode.Parse(File.ReadAllText(karpathy))!;
        foreach (var img in root["images"]!.AsArray())
            foreach (var s in img!["sentences"]!.AsArray()) s!.AsObject().Remove("mention");
        var path = Path.Combine(dir, "plain.json");
        File.WriteAllText(path, root.ToJsonString());
        return path;
    }
}
