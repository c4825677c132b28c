using ClipSharp.Core;
using ClipSharp.Inference;
using ClipSharp.Tests.Cli;
using ClipSharp.Tests.Evaluation;
using ClipSharp.Tests.Support;

namespace ClipSharp.Tests.Inference;

/// <summary>
/// An index knows the model that built it: a query with another model is an error, an update with another model
/// re-embeds everything and says so; reading never creates, and a missing index or folder is an error naming the path.
/// </summary>
[Collection("Console")]
public class IndexModelIdentityTests
{
    private static string Images(int n)
    {
        var folder = TestPaths.NewTempDir("ididx-img");
        for (int i = 0; i < n; i++) EvalTestModels.WriteImage(Path.Combine(folder, $"{i}.png"), 500 + i);
        return folder;
    }

    [Fact]
    public void AnotherModelCannotQueryAndAnUpdateReembedsEverything()
    {
        var (a, _) = ClipPipelineTests.RunDirectory(21);
        var (b, _) = ClipPipelineTests.RunDirectory(22);
        using var pa = ClipPipeline.Load(a);
        using var pb = ClipPipeline.Load(b);
        var folder = Images(4);
        var dir = Path.Combine(TestPaths.NewTempDir("ididx"), "index");

        var r = IndexBuilder.Update(pa, folder, dir);
        Assert.Equal((4, 0, null), (r.Added, r.Removed, r.Reembedded));
        Assert.Equal(0, IndexBuilder.Update(pa, folder, dir).Added);   // same model: nothing to do
        using (var idx = EmbeddingIndex.Open(dir))
        {
            Assert.Equal(ModelIdentity.Of(pa), idx.Identity);
            IndexBuilder.RequireSameModel(idx, pa);
            var e = Assert.Throws<ClipSharpException>(() => IndexBuilder.RequireSameModel(idx, pb));
            Assert.Contains(dir, e.Message);
            Assert.Contains("weights", e.Message);
        }

        r = IndexBuilder.Update(pb, folder, dir);
        Assert.Equal((4, 4, 0), (r.Added, r.Removed, r.Unchanged));
        Assert.Contains("weights", r.Reembedded);
        using (var idx = EmbeddingIndex.Open(dir))
        {
            Assert.Equal(ModelIdentity.Of(pb), idx.Identity);
            var file = Path.Combine(folder, "2.png");
            var stored = idx.Vector(idx.Entries.ToList().FindIndex(x => x.Path == file));
            Assert.All(pb.EncodeImage(file).Zip(stored), p => Assert.Equal(p.First, p.Second, 1e-5f));
        }
    }

    [Fact]
    public void IdentityCoversWeightsPreprocessingAndTokenizer()
    {
        var (a, _) = ClipPipelineTests.RunDirectory(23);
        using var p = ClipPipeline.Load(a);
        var id = ModelIdentity.Of(p);
        Assert.Equal(id, ModelIdentity.Of(p));
        Assert.Empty(id.Differences(id));
        Assert.Equal(["image preprocessing (x vs " + id.Preprocess + ")"], (id with { Preprocess = "x" }).Differences(id));
        Assert.Equal(["tokenizer"], (id with { Tokenizer = "t" }).Differences(id));
        Assert.Equal(["architecture config"], (id with { Config = "c" }).Differences(id));
        var path = Path.Combine(TestPaths.NewTempDir("idjson"), "model.json");
        id.Write(path);
        Assert.Equal(id, ModelIdentity.Read(path));
        File.WriteAllText(path, "{ not json");
        Assert.Contains(path, Assert.Throws<ClipSharpException>(() => ModelIdentity.Read(path)).Message);
    }

    [Fact]
    public void MissingIndexOrFolderIsAnErrorAndCreatesNothing()
    {
        var (model, _) = ClipPipelineTests.RunDirectory(24);
        var root = TestPaths.NewTempDir("idmiss");
        var missingIndex = Path.Combine(root, "missing", "idx");
        var (code, stdout, err) = CliTests.Run("search", missingIndex, "a query", "--model", model);
        Assert.Equal(2, code);
        Assert.Contains(missingIndex, err);
        Assert.DoesNotContain("searched", stdout + err);
        Assert.False(Directory.Exists(Path.Combine(root, "missing")));

        var index = Path.Combine(root, "idx");
        (code, _, err) = CliTests.Run("embed", Path.Combine(root, "no-such-folder"), "--index", index, "--model", model);
        Assert.Equal(2, code);
        Assert.Contains("no-such-folder", err);
        Assert.False(Directory.Exists(index));

        // an index made by another model: search is an error naming the index; embed re-embeds and says so
        var (other, _) = ClipPipelineTests.RunDirectory(25);
        var folder = Images(2);
        Assert.Equal(0, CliTests.Run("embed", folder, "--index", index, "--model", model).Code);
        (code, _, err) = CliTests.Run("search", index, "a query", "--model", other);
        Assert.Equal(2, code);
        Assert.Contains("was built with model", err);
        (code, stdout, err) = CliTests.Run("embed", folder, "--index", index, "--model", other);
        Assert.True(code == 0, err);
        Assert.Contains("re-embedded every image", stdout);
        Assert.Contains("2 added, 2 removed", stdout);
    }

    [Fact]
    public void CaptionSkipsAnUnreadableImageAndCaptionsTheRest()
    {
        var (model, _) = ClipPipelineTests.RunDirectory(26);
        var folder = Images(2);
        var broken = Path.Combine(folder, "broken.jpg");
        File.WriteAllText(broken, "not a jpeg");
        var good = Directory.GetFiles(folder, "*.png").Order().ToArray();
        var (code, stdout, err) = CliTests.Run(["caption", good[0], broken, good[1], "--model", model]);
        Assert.True(code == 0, err);
        var lines = stdout.Trim().Split('\n');
        Assert.Equal([good[0], good[1]], lines.Select(l => l.Split('\t')[0]));
        Assert.Contains($"skipped: {broken}", err);
        Assert.Contains("2 captioned, 1 unreadable skipped", err);
        (code, _, err) = CliTests.Run("caption", broken, "--model", model);
        Assert.Equal(2, code);
        Assert.Contains(broken, err);
    }
}
