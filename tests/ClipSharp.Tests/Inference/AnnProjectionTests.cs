using System.Numerics.Tensors;
using System.Text.Json;
using ClipSharp.Core;
using ClipSharp.Inference;
using ClipSharp.Tests.Support;
using Xunit.Abstractions;

namespace ClipSharp.Tests.Inference;

/// <summary>
/// <see cref="AnnOptions.ProjectedDim"/>: an HNSW graph over the rows' leading principal directions, candidates
/// rescored exactly. Recall against the exact scan, a smaller graph, the projection saved beside the graph and
/// checked like it, fitted as soon as there are enough rows, and bad settings refused by name.
/// </summary>
public class AnnProjectionTests(ITestOutputHelper output)
{
    private static readonly AnnOptions On = new() { Mode = AnnMode.On, Threads = 2 };
    private static readonly AnnOptions Projected = On with { ProjectedDim = 48 };

    [Fact]
    public void AFitKeepsInnerProductsOfRowsInsideTheSubspace()
    {
        var rows = AnnIndexTests.LowRank(200, 16, 7, rank: 3).Select(v => { var w = (float[])v.Clone(); w.AsSpan(3).Clear(); return w; }).ToArray();
        var flat = rows.SelectMany(r => r).ToArray();
        var proj = AnnProjection.Fit(flat, 200, 16, 3);
        for (int i = 0; i < 20; i++)
        {
            float exact = TensorPrimitives.Dot(rows[i], rows[i + 20]);
            Assert.Equal(exact, TensorPrimitives.Dot(proj.Project(rows[i]), proj.Project(rows[i + 20])), 5);
        }
        var two = AnnProjection.Fit(flat, 200, 16, 2);   // one direction short: inner products are no longer kept
        Assert.Contains(Enumerable.Range(0, 20), i =>
            Math.Abs(TensorPrimitives.Dot(rows[i], rows[i + 20]) - TensorPrimitives.Dot(two.Project(rows[i]), two.Project(rows[i + 20]))) > 1e-3);
    }

    [AnnFact]
    public void ProjectedGraphKeepsRecallAtTenWithLessMemory()
    {
        const int n = 4000, dim = 512, queries = 200;
        var rows = AnnIndexTests.LowRank(n, dim, 1);
        using var full = NewIndex("full", rows, On);
        using var index = NewIndex("projected", rows, Projected);
        full.FlushAnn();
        index.FlushAnn();
        Assert.Equal(48, Manifest(index.Directory).GetProperty("projected_dim").GetInt32());
        double recall = 0;
        foreach (var q in AnnIndexTests.LowRank(queries, dim, 2))
        {
            var exact = index.SearchExact(q, 10).Select(h => h.Path).ToHashSet();
            var approx = index.Search(q, 10);
            recall += approx.Count(h => exact.Contains(h.Path)) / 10.0;
            Assert.Equal(TensorPrimitives.Dot(q, rows[int.Parse(approx[0].Path[5..11])]), approx[0].Score, 5);   // rescored exactly
        }
        recall /= queries;
        long projectedBytes = GraphFileBytes(index.Directory), fullBytes = GraphFileBytes(full.Directory);
        output.WriteLine($"recall@10 {recall:F4}; graph file {projectedBytes / 1024} KiB projected to 48, {fullBytes / 1024} KiB full ({index.AnnStatus})");
        Assert.True(recall >= 0.95, $"recall@10 {recall:F4} < 0.95");
        Assert.True(projectedBytes < fullBytes / 2, $"graph files: {projectedBytes} bytes projected, {fullBytes} full");
    }

    [AnnFact]
    public void TheProjectionIsSavedLoadedAndCheckedLikeTheGraph()
    {
        var rows = AnnIndexTests.LowRank(2500, 128, 3);
        string dir;
        string[] before;
        using (var index = NewIndex("saved", rows, Projected))
        {
            dir = index.Directory;
            before = index.Search(rows[17], 10).Select(h => h.Path).ToArray();
        }
        using (var index = EmbeddingIndex.Open(dir, Projected))
        {
            Assert.Contains("loaded 2500 rows", index.AnnStatus);
            Assert.Equal(before, index.Search(rows[17], 10).Select(h => h.Path));
        }
        var proj = Directory.GetFiles(dir, "ann-*.proj").Single();
        using (var fs = new FileStream(proj, FileMode.Open, FileAccess.ReadWrite)) { fs.Position = 100; fs.WriteByte(0x7F); }
        using (var index = EmbeddingIndex.Open(dir, Projected))
        {
            Assert.Contains("corrupt", index.AnnStatus);
            Assert.Contains("built over 2500 rows", index.AnnStatus);
            Assert.Equal(before[0], index.Search(rows[17], 1)[0].Path);
        }
        using (var index = EmbeddingIndex.Open(dir, Projected with { ProjectedDim = 32 })) Assert.Contains("projected dims 48", index.AnnStatus);
        using (var index = EmbeddingIndex.Open(dir, On)) Assert.Contains("built over 2500 rows", index.AnnStatus);
        Assert.Empty(Directory.GetFiles(dir, "ann-*.proj"));   // an unprojected graph leaves no projection file behind
        Assert.Equal(0, Manifest(dir).GetProperty("projected_dim").GetInt32());
    }

    [AnnFact]
    public void AProjectionIsFittedAsSoonAsThereAreEnoughRows()
    {
        var rows = AnnIndexTests.LowRank(700, 128, 4);
        var dir = System.IO.Path.Combine(TestPaths.NewTempDir("ann-fit"), "index");
        using var index = EmbeddingIndex.OpenOrCreate(dir, 128, Projected);
        index.Add(Entries(0, 100), rows.Take(100).ToList());   // 100 < 4 x 128: the graph holds full rows for now
        Assert.Equal(0, Manifest(dir).GetProperty("projected_dim").GetInt32());
        index.Add(Entries(100, 600), rows.Skip(100).ToList());
        index.FlushAnn();
        Assert.Equal(48, Manifest(dir).GetProperty("projected_dim").GetInt32());
        foreach (int i in new[] { 3, 250, 699 }) Assert.Equal($"/img/{i:D6}.jpg", index.Search(rows[i], 1)[0].Path);
    }

    [AnnFact]
    public void ReopeningWithDefaultOptionsReusesTheSavedBuild()
    {
        var rows = AnnIndexTests.LowRank(1200, 64, 6);
        var built = On with { Scalar = AnnScalar.F32, Connectivity = 8, ProjectedDim = 16 };
        string dir;
        using (var index = NewIndex("reuse", rows, built)) dir = index.Directory;
        var asked = On.WithSavedBuild(dir, _ => false);
        Assert.Equal((AnnScalar.F32, 8, 16), (asked.Scalar, asked.Connectivity, asked.ProjectedDim));
        using (var index = EmbeddingIndex.Open(dir, asked)) Assert.Contains("loaded 1200 rows", index.AnnStatus);
        var other = (On with { ProjectedDim = 8 }).WithSavedBuild(dir, name => name == nameof(AnnOptions.ProjectedDim));   // given: it wins
        Assert.Equal((AnnScalar.F32, 8, 8), (other.Scalar, other.Connectivity, other.ProjectedDim));
        using (var index = EmbeddingIndex.Open(dir, other)) Assert.Contains("built over 1200 rows", index.AnnStatus);
        var none = On.WithSavedBuild(TestPaths.NewTempDir("ann-none"), _ => false);
        Assert.Equal(On, none);
    }

    [Fact]
    public void BadSettingsAreRefusedByName()
    {
        Assert.Contains("f16 or f32", Assert.Throws<ClipSharpException>(() => (Projected with { Scalar = AnnScalar.I8 }).Validate()).Message);
        Assert.Contains("not -1", Assert.Throws<ClipSharpException>(() => (On with { ProjectedDim = -1 }).Validate()).Message);
        var rows = AnnIndexTests.LowRank(300, 32, 5);
        var e = Assert.Throws<ClipSharpException>(() => NewIndex("wide", rows, On with { ProjectedDim = 32 }));
        Assert.Contains("expected 1 to 31", e.Message);
    }

    private static EmbeddingIndex NewIndex(string name, List<float[]> rows, AnnOptions ann)
    {
        var index = EmbeddingIndex.OpenOrCreate(System.IO.Path.Combine(TestPaths.NewTempDir("ann-" + name), "index"), rows[0].Length, ann);
        index.Add(Entries(0, rows.Count), rows);
        return index;
    }

    private static List<IndexEntry> Entries(int from, int n) => Enumerable.Range(from, n).Select(i => new IndexEntry($"/img/{i:D6}.jpg", i, i)).ToList();

    private static long GraphFileBytes(string dir) => new FileInfo(Directory.GetFiles(dir, "ann-*.usearch").Single()).Length;

    private static JsonElement Manifest(string dir) =>
        JsonDocument.Parse(File.ReadAllText(System.IO.Path.Combine(dir, AnnManifest.FileName))).RootElement.Clone();
}
