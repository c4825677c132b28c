using System.Diagnostics;
using ClipSharp.Core;
using ClipSharp.Inference;
using ClipSharp.Tests.Evaluation;
using ClipSharp.Tests.Support;
using Xunit.Abstractions;

namespace ClipSharp.Tests.Inference;

/// <summary>The on-disk embedding index: build over a folder (skipping unreadable files), incremental updates, resume, exact search.</summary>
public class EmbeddingIndexTests(ITestOutputHelper output)
{
    [Fact]
    public void BuildsIncrementallyAndSearchesExactly()
    {
        var (runDir, _) = ClipPipelineTests.RunDirectory(11);
        using var pipe = ClipPipeline.Load(runDir, new ClipPipelineOptions { BatchSize = 3 });
        var folder = TestPaths.NewTempDir("idximg");
        var files = Enumerable.Range(0, 7).Select(i => Path.Combine(folder, i < 4 ? "a" : "b", $"{i}.png")).ToList();
        for (int i = 0; i < files.Count; i++) EvalTestModels.WriteImage(files[i], 300 + i);
        File.WriteAllText(Path.Combine(folder, "broken.jpg"), "not a jpeg");
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "ignored");
        var dir = Path.Combine(TestPaths.NewTempDir("idx"), "index");

        using (var index = EmbeddingIndex.OpenOrCreate(dir, pipe.EmbeddingDim))
        {
            var r = IndexBuilder.Build(pipe, folder, index);
            Assert.Equal((7, 0, 0), (r.Added, r.Removed, r.Unchanged));
            Assert.EndsWith("broken.jpg", Assert.Single(r.Unreadable));
            // exact search equals brute force over the model's own embeddings
            var emb = pipe.EncodeImages(files);
            var q = pipe.EncodeText("a red circle");
            var want = Enumerable.Range(0, 7).OrderByDescending(i => Dot(q, emb[i])).Take(3).Select(i => files[i]).ToList();
            var hits = index.Search(q, 3);
            Assert.Equal(want, hits.Select(h => h.Path));
            Assert.Equal(Dot(q, emb[files.IndexOf(want[0])]), hits[0].Score, 4);
            Assert.Equal(files[5], index.Search(emb[5], 1)[0].Path);
            Assert.Equal(7, index.Search(q, 50).Count);
        }
        // incremental: one file deleted, one changed, one new
        File.Delete(files[1]);
        EvalTestModels.WriteImage(files[2], 999, 30, 30);
        File.SetLastWriteTimeUtc(files[2], DateTime.UtcNow.AddMinutes(1));
        var extra = Path.Combine(folder, "b", "new.jpg");
        EvalTestModels.WriteImage(extra, 1234);
        using (var index = EmbeddingIndex.OpenOrCreate(dir))
        {
            var r = IndexBuilder.Build(pipe, folder, index);
            Assert.Equal((2, 2, 5), (r.Added, r.Removed, r.Unchanged));
            Assert.Equal(7, index.Count);
            Assert.DoesNotContain(index.Entries, e => e.Path == files[1]);
            Assert.Equal(extra, index.Search(pipe.EncodeImage(extra), 1)[0].Path);
            Assert.Equal(files[2], index.Search(pipe.EncodeImage(files[2]), 1)[0].Path);
        }
        // an interrupted append (vector row written, entry not) is cut on open
        File.AppendAllText(Path.Combine(dir, "vectors.f32"), new string('x', pipe.EmbeddingDim * 4 + 3));
        using (var index = EmbeddingIndex.OpenOrCreate(dir, pipe.EmbeddingDim))
        {
            Assert.Equal(7, index.Count);
            Assert.Equal(0, IndexBuilder.Build(pipe, folder, index).Added);
        }
        Assert.Contains("64-d", Assert.Throws<ClipSharpException>(() => EmbeddingIndex.OpenOrCreate(dir, 32)).Message);
        Assert.Contains("no embedding index", Assert.Throws<ClipSharpException>(() => EmbeddingIndex.OpenOrCreate(TestPaths.NewTempDir("none"))).Message);
    }

    [Fact]
    public void TenThousandRowsAnswerInMilliseconds()
    {
        const int n = 10_000, dim = 512;
        var rng = new Random(5);
        var vectors = Enumerable.Range(0, n).Select(_ => Unit(Enumerable.Range(0, dim).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray())).ToList();
        using var index = EmbeddingIndex.OpenOrCreate(Path.Combine(TestPaths.NewTempDir("idx10k"), "i"), dim);
        index.Add(vectors.Select((_, i) => new IndexEntry($"/img/{i}.jpg", i, i)).ToList(), vectors);
        index.Search(vectors[0], 10);   // map + warm up
        var want = vectors.Select((v, i) => (Dot(vectors[97], v), i)).OrderByDescending(t => t.Item1).Take(10).Select(t => $"/img/{t.i}.jpg");
        Assert.Equal(want, index.Search(vectors[97], 10).Select(h => h.Path));
        const int queries = 50;
        var sw = Stopwatch.StartNew();
        for (int q = 0; q < queries; q++) Assert.Equal($"/img/{q * 97}.jpg", index.Search(vectors[q * 97], 10)[0].Path);
        sw.Stop();
        output.WriteLine($"search over {n} x {dim}: {sw.Elapsed.TotalMilliseconds / queries:F2} ms per top-10 query");
    }

    [Theory]
    [InlineData(37, 1)]
    [InlineData(37, 3)]
    [InlineData(64, 4)]
    [InlineData(512, 0)]
    public void SearchEqualsBruteForceForAnyWidthAndThreadCountAndKeepsRowOrderOnTies(int dim, int threads)
    {
        var rng = new Random(dim * 10 + threads);
        // 301 rows; rows 7, 150 and 299 are copies of row 40 (equal scores: lower row first)
        var vectors = Enumerable.Range(0, 301).Select(_ => Unit(Enumerable.Range(0, dim).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray())).ToList();
        foreach (var copy in new[] { 7, 150, 299 }) vectors[copy] = (float[])vectors[40].Clone();
        using var index = EmbeddingIndex.OpenOrCreate(Path.Combine(TestPaths.NewTempDir("idxk"), "i"), dim);
        index.Add(vectors.Select((_, i) => new IndexEntry($"/v/{i}", i, i)).ToList(), vectors);
        foreach (var (query, k) in new[] { (vectors[40], 6), (vectors[3], 1), (vectors[100], 400) })
        {
            var want = vectors.Select((v, i) => (Score: (double)DotD(query, v), i)).OrderByDescending(t => t.Score).ThenBy(t => t.i).Take(k).ToList();
            var got = index.Search(query, k, threads);
            Assert.Equal(want.Select(t => $"/v/{t.i}"), got.Select(h => h.Path));
            for (int j = 0; j < want.Count; j++) Assert.Equal(want[j].Score, got[j].Score, 1e-5);
        }
        Assert.Equal(["/v/7", "/v/40", "/v/150", "/v/299"], index.Search(vectors[40], 4, threads).Select(h => h.Path));
    }

    private static double DotD(float[] a, float[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }

    private static float Dot(float[] a, float[] b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);

    private static float[] Unit(float[] v)
    {
        var norm = System.Numerics.Tensors.TensorPrimitives.Norm(v);
        return v.Select(x => x / norm).ToArray();
    }
}
