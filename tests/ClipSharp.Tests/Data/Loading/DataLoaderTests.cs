using System.Text.Json;
using ClipSharp.Core;
using ClipSharp.Data;
using ClipSharp.Data.Images;
using ClipSharp.Text;
using TorchSharp;

namespace ClipSharp.Tests.Data.Loading;

public class DataLoaderTests
{
    [Fact]
    public void WorldShardsStreamIntoCorrectBatches()
    {
        var truth = TestWorld.ReadAll();
        var options = TestWorld.Options(allViews: true);
        using var loader = new DataLoader(options);
        var eval = new EvalTransform(TestWorld.Preprocess, new ImageDecoder(options.Decoder));
        var reducer = new CaptionTokenReducer(TestWorld.Tokenizer, new TokenReductionOptions { Seed = options.Seed });
        var tok = TestWorld.Tokenizer;
        var seen = new List<string>();
        foreach (var batch in loader.Batches())
        {
            using (batch)
            {
                if (batch.Position.Epoch > 0) break;
                Assert.Equal([20, 3, 24, 24], batch.Images.shape);
                Assert.Equal(torch.ScalarType.Float32, batch.Images.dtype);
                Assert.Equal([TextView.Web, TextView.Partial, TextView.Synthetic, TextView.Mix, TextView.Targets], batch.Texts.Present().Select(v => v.View));
                Assert.Equal([20, 32], batch.Texts.Web!.shape);
                Assert.Equal(torch.ScalarType.Int64, batch.Texts.Web!.dtype);
                Assert.Equal([20, 40], batch.Texts.Targets!.shape);
                var snap = BatchSnapshot.Of(batch);
                for (int i = 0; i < batch.Count; i++)
                {
                    var key = batch.Keys[i];
                    var (web, synth, jpg) = truth[key];
                    Assert.Equal(tok.Encode(web), Row(snap.Rows["web"], i, 32));
                    Assert.Equal(tok.Encode(synth), Row(snap.Rows["synthetic"], i, 32));
                    Assert.Equal(reducer.ReduceToRow(synth, web, 0, key), Row(snap.Rows["partial"], i, 32));
                    var targets = CaptionTargets.For(tok, synth, 40);
                    Assert.Equal(targets.Targets, Row(snap.Rows["targets"], i, 40));
                    var mix = Row(snap.Rows["mix"], i, 32);
                    Assert.True(mix.SequenceEqual(tok.Encode(web)) || mix.SequenceEqual(reducer.ReduceToRow(synth, web, 0, key)));
                    if (i < 3)
                    {
                        using var img = eval.Decoder.Decode(jpg, key, (24, 24));
                        using var expected = eval.Apply(img);
                        Assert.Equal(expected.data<float>().ToArray(), snap.Images.AsSpan(i * 3 * 24 * 24, 3 * 24 * 24).ToArray());
                    }
                }
                seen.AddRange(batch.Keys);
            }
        }
        Assert.Equal(TestWorld.Samples, seen.Count);
        Assert.Equal(truth.Keys.Order(), seen.Order());
        Assert.NotEqual(seen.Order(), seen); // shuffled
        Assert.Equal(0, loader.BadSamples.Total);
    }

    private static long[] Row(long[] flat, int i, int len) => flat.AsSpan(i * len, len).ToArray();

    [Fact]
    public void OrderAndContentDoNotDependOnTheWorkerCount()
    {
        List<BatchSnapshot> Run(int workers)
        {
            using var loader = new DataLoader(TestWorld.Options(batch: 16, workers: workers, augment: true, allViews: true, jitter: true));
            return TestWorld.Take(loader, 9); // 7 batches per epoch: crosses into epoch 1
        }
        var inline = Run(0);
        Assert.Equal(1, inline[^1].Position.Epoch);
        foreach (var workers in new[] { 1, 3 })
        {
            var other = Run(workers);
            for (int i = 0; i < inline.Count; i++) inline[i].AssertSame(other[i], $"workers {workers}, batch {i}");
        }
    }

    [Fact]
    public void ResumeYieldsExactlyTheRemainingSamples()
    {
        var options = TestWorld.Options(batch: 16, workers: 2, augment: true, allViews: true);
        using var loader = new DataLoader(options);
        var full = TestWorld.Take(loader, 16); // 7 batches per epoch (8 samples dropped): into epoch 2
        foreach (var cut in new[] { 2, 6, 7, 13 })
        {
            var resumed = TestWorld.Take(loader, 2, full[cut].Position);
            for (int i = 0; i < resumed.Count; i++) full[cut + 1 + i].AssertSame(resumed[i], $"resume after batch {cut}, batch {i}");
        }
        // a position that is no batch boundary: the stream continues at that entry
        var entries = loader.EpochRecords(1).Select(r => r.Key).ToList();
        var mid = TestWorld.Take(loader, 2, new LoaderPosition(1, 7));
        Assert.Equal(entries.Skip(7).Take(32), mid.SelectMany(b => b.Keys));
        Assert.Equal(new LoaderPosition(1, 7 + 16), mid[0].Position);
        // the position round-trips through JSON
        var json = JsonSerializer.Serialize(full[5].Position);
        Assert.Equal(full[5].Position, JsonSerializer.Deserialize<LoaderPosition>(json));
    }

    [Fact]
    public void EpochsReshuffleAndTheSeedDecides()
    {
        using var a = new DataLoader(TestWorld.Options(seed: 1));
        using var b = new DataLoader(TestWorld.Options(seed: 2));
        var e0 = a.EpochRecords(0).Select(r => r.Key).ToList();
        Assert.Equal(e0, a.EpochRecords(0).Select(r => r.Key));
        Assert.NotEqual(e0, a.EpochRecords(1).Select(r => r.Key));
        Assert.NotEqual(e0, b.EpochRecords(0).Select(r => r.Key));
        Assert.Equal(e0.Order(), a.EpochRecords(1).Select(r => r.Key).Order());
        using var plain = new DataLoader(TestWorld.Options() with { ShuffleBuffer = 0, ShuffleShards = false });
        Assert.Equal(Enumerable.Range(0, TestWorld.Samples).Select(i => i.ToString("D8")), plain.EpochRecords(3).Select(r => r.Key));
    }

    [Theory]
    [InlineData(2, 4)]   // shards split 2 + 2
    [InlineData(3, 4)]   // shards split 2 + 1 + 1
    [InlineData(5, 4)]   // fewer shards than ranks: split by sample
    public void RanksSplitWithoutOverlap(int world, int shards)
    {
        var spec = DataSourceSpec.Wds(Path.Combine(TestWorld.Dir, "train", $"train-{{000000..{shards - 1:D6}}}.tar"));
        var perRank = Enumerable.Range(0, world).Select(r =>
        {
            using var l = new DataLoader(TestWorld.Options() with { Sources = [spec], Rank = r, WorldSize = world });
            return l.EpochRecords(2).Select(x => x.Key).ToList();
        }).ToList();
        var all = perRank.SelectMany(k => k).ToList();
        Assert.Equal(TestWorld.Samples, all.Count);
        Assert.Equal(TestWorld.Samples, all.Distinct().Count());
        Assert.All(perRank, k => Assert.NotEmpty(k));
    }

    [Fact]
    public void TooFewSamplesForABatchIsAClearError()
    {
        var spec = DataSourceSpec.Wds(Path.Combine(TestWorld.Dir, "train", "train-000000.tar"));
        using var loader = new DataLoader(TestWorld.Options(batch: 40) with { Sources = [spec] });
        var e = Assert.Throws<ClipSharpException>(() => loader.Batches().First());
        Assert.Contains("produced no batch", e.Message);
        using var keep = new DataLoader(TestWorld.Options(batch: 40) with { Sources = [spec], DropLast = false });
        using var only = keep.Batches().First();
        Assert.Equal(30, only.Count);
        Assert.Equal(new LoaderPosition(0, 30), only.Position);
    }

    [Fact]
    public void MissingShardsAndBadOptionsAreClearErrors()
    {
        Assert.Throws<ClipSharpException>(() => new DataLoader(TestWorld.Options() with { Sources = [DataSourceSpec.Wds("/nonexistent/x-{0..3}.tar")] }));
        Assert.Throws<ClipSharpException>(() => new DataLoader(TestWorld.Options() with { Rank = 2, WorldSize = 2 }));
        Assert.Throws<ClipSharpException>(() => new DataLoader(TestWorld.Options() with { BatchSize = 0 }));
    }
}
