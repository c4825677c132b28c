using ClipSharp.Data;
using ClipSharp.Data.Sources;

namespace ClipSharp.Tests.Data.Loading;

public class ManifestSourceTests
{
    public static TheoryData<string> Types => new() { "jsonl", "csv", "tsv", "parquet", "folder" };

    [Theory]
    [MemberData(nameof(Types))]
    public void EverySourceTypeStreamsTheWorldWithItsCaptions(string type)
    {
        var truth = TestWorld.ReadAll().ToDictionary(kv => ManifestWorld.KeyOf(type, kv.Key), kv => kv.Value);
        var source = DataSources.Open(ManifestWorld.Spec(type, rowsPerShard: 25));
        Assert.Equal(5, source.Shards.Count); // 120 rows / 25 (parquet: groups of 50 -> 2 + 2 + 1 slices)
        var seen = new List<string>();
        for (int s = 0; s < source.Shards.Count; s++)
            foreach (var r in source.Read(s))
            {
                var sample = r.Load();
                Assert.Equal(r.Key, sample.Key);
                Assert.True(truth.TryGetValue(sample.Key, out var t), $"{type}: unexpected key {sample.Key}");
                Assert.Equal(t.Web, sample.WebCaption);
                Assert.Equal(t.Synthetic, sample.SyntheticCaption);
                Assert.Equal(t.Image, sample.ImageBytes);
                Assert.Equal("jpg", sample.ImageExt);
                seen.Add(sample.Key);
            }
        Assert.Equal(truth.Keys.Order(StringComparer.Ordinal), seen); // canonical order = row / path order
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void BatchesMatchTheWebDatasetBatchesOfTheSameSamples(string type)
    {
        // the eval transform and tokenizer see the same bytes and captions, so each key's tensors must match the wds loader's
        var other = Collect(TestWorld.Options(batch: 20, workers: 2, augment: false) with { Sources = [ManifestWorld.Spec(type)] }, k => k);
        var eval = Collect(TestWorld.Options(batch: 20, workers: 2, augment: false) with { ShuffleBuffer = 0, ShuffleShards = false }, k => ManifestWorld.KeyOf(type, k));
        Assert.Equal(120, other.Count);
        Assert.Equal(120, eval.Count);
        foreach (var (key, (pixels, web)) in eval)
        {
            Assert.True(other.TryGetValue(key, out var o), $"{type}: key {key} missing");
            Assert.True(pixels.AsSpan().SequenceEqual(o.Pixels), $"{type}: pixels of {key} differ");
            Assert.Equal(web, o.Web);
        }
    }

    private static Dictionary<string, (float[] Pixels, long[] Web)> Collect(LoaderOptions options, Func<string, string> rename)
    {
        using var loader = new DataLoader(options);
        var result = new Dictionary<string, (float[], long[])>();
        foreach (var b in loader.Batches())
        {
            using (b)
            {
                if (b.Position.Epoch > 0) break;
                var snap = BatchSnapshot.Of(b);
                int px = snap.Images.Length / b.Count, ctx = snap.Rows["web"].Length / b.Count;
                for (int i = 0; i < b.Count; i++)
                    result[rename(b.Keys[i])] = (snap.Images.AsSpan(i * px, px).ToArray(), snap.Rows["web"].AsSpan(i * ctx, ctx).ToArray());
            }
        }
        return result;
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void OrderDoesNotDependOnWorkersAndResumeYieldsTheRest(string type)
    {
        LoaderOptions Opt(int workers) => TestWorld.Options(batch: 16, workers: workers, augment: true) with { Sources = [ManifestWorld.Spec(type, rowsPerShard: 20)] };
        List<BatchSnapshot> Run(int workers, LoaderPosition? from = null, int count = 9)
        {
            using var loader = new DataLoader(Opt(workers));
            return TestWorld.Take(loader, count, from);
        }
        var w0 = Run(0);
        Assert.Equal(1, w0[^1].Position.Epoch); // 7 batches per epoch: crosses into epoch 1
        foreach (var workers in new[] { 1, 2 })
        {
            var other = Run(workers);
            for (int i = 0; i < w0.Count; i++) w0[i].AssertSame(other[i], $"{type}, workers {workers}, batch {i}");
        }
        foreach (var cut in new[] { 3, 6 })
        {
            var resumed = Run(2, w0[cut].Position, w0.Count - cut - 1);
            for (int i = 0; i < resumed.Count; i++) w0[cut + 1 + i].AssertSame(resumed[i], $"{type}, resume after batch {cut}, batch {i}");
        }
    }

    [Fact]
    public void RanksSplitManifestShardsWithoutOverlap()
    {
        foreach (var type in new[] { "jsonl", "parquet", "folder" })
        {
            var keys = Enumerable.Range(0, 3).SelectMany(rank =>
            {
                using var l = new DataLoader(TestWorld.Options() with { Sources = [ManifestWorld.Spec(type, rowsPerShard: 10)], Rank = rank, WorldSize = 3 });
                return l.EpochRecords(1).Select(r => r.Key).ToList();
            }).ToList();
            Assert.Equal(120, keys.Count);
            Assert.Equal(120, keys.Distinct().Count());
        }
    }
}
