using ClipSharp.Modeling.Generation;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Modeling.Generation;

/// <summary>Token choice over one-pass captioner logits: greedy, temperature, top-k, top-p, seeds, eos cut, suppression.</summary>
public class CaptionSamplerTests
{
    private const long Eos = 2;

    // Its own generator: the global one is shared with tests running in parallel, and two calls seeded alike could
    // otherwise draw different logits (seen once in CI: GreedyIsTheArgmaxCutBeforeTheFirstEos).
    private static Tensor RandomLogits(int b = 3, int q = 12, int v = 40, long seed = 5)
    {
        using var g = new Generator((ulong)seed);
        return randn([b, q, v], generator: g) * 3;
    }

    [Fact]
    public void GreedyIsTheArgmaxCutBeforeTheFirstEos()
    {
        var logits = zeros(2, 5, 10);
        long[][] want = [[7, 4, 9, Eos, 5], [3, 3, 6, 8, 1]];
        for (int i = 0; i < 2; i++) for (int j = 0; j < 5; j++) logits[i, j, want[i][j]] = 5f;
        var got = CaptionSampler.Choose(logits, GenerationOptions.Greedy, Eos);
        Assert.Equal([7L, 4, 9], got[0]);
        Assert.Equal([3L, 3, 6, 8, 1], got[1]);
        var argmax = RandomLogits().argmax(-1).data<long>().ToArray();
        var rows = CaptionSampler.Choose(RandomLogits(), GenerationOptions.Greedy, eosId: -1);
        Assert.Equal(argmax, rows.SelectMany(r => r).ToArray());
    }

    [Fact]
    public void SamplingIsReproducibleForASeedAndVariesAcrossSeeds()
    {
        var logits = RandomLogits();
        var o = new GenerationOptions { Strategy = DecodingStrategy.Sample, Seed = 11 };
        var a = CaptionSampler.Choose(logits, o, eosId: -1);
        var b = CaptionSampler.Choose(logits, o, eosId: -1);
        var c = CaptionSampler.Choose(logits, o with { Seed = 12 }, eosId: -1);
        Assert.Equal(a, b);
        Assert.NotEqual(a.SelectMany(r => r), c.SelectMany(r => r));
    }

    [Fact]
    public void TopKOneAndATinyTopPAndAColdTemperatureAreGreedy()
    {
        var logits = RandomLogits();
        var greedy = CaptionSampler.Choose(logits, GenerationOptions.Greedy, eosId: -1);
        var s = new GenerationOptions { Strategy = DecodingStrategy.Sample, Seed = 3 };
        Assert.Equal(greedy, CaptionSampler.Choose(logits, s with { TopK = 1 }, eosId: -1));
        Assert.Equal(greedy, CaptionSampler.Choose(logits, s with { TopP = 1e-6 }, eosId: -1));
        Assert.Equal(greedy, CaptionSampler.Choose(logits, s with { Temperature = 1e-3 }, eosId: -1));
    }

    [Fact]
    public void TopKAndTopPNeverLeaveTheirSets()
    {
        var logits = RandomLogits(b: 4, q: 50, v: 30);
        var order = logits.argsort(-1, descending: true);
        var probs = logits.softmax(-1);
        for (long seed = 0; seed < 5; seed++)
        {
            var k = CaptionSampler.Choose(logits, new GenerationOptions { Strategy = DecodingStrategy.Sample, TopK = 3, Seed = seed }, eosId: -1);
            var p = CaptionSampler.Choose(logits, new GenerationOptions { Strategy = DecodingStrategy.Sample, TopP = 0.5, Seed = seed }, eosId: -1);
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 50; j++)
                {
                    var top3 = order[i, j, ..3].data<long>().ToArray();
                    Assert.Contains(k[i][j], top3);
                    // nucleus: the mass of tokens strictly more likely than the chosen one is below p
                    var pc = probs[i, j, p[i][j]].item<float>();
                    var above = probs[i, j].masked_select(probs[i, j].gt(pc)).sum().item<float>();
                    Assert.True(above < 0.5f, $"row {i} pos {j}: mass above the chosen token {above} >= top-p 0.5");
                }
        }
    }

    [Fact]
    public void SampleFrequenciesFollowTheTemperedDistribution()
    {
        // one position, 3 tokens with probabilities 0.6 / 0.3 / 0.1 at T = 1; at T = 2 they flatten to ∝ p^½
        var p = new[] { 0.6, 0.3, 0.1 };
        var logits = tensor(p.Select(x => (float)Math.Log(x)).ToArray(), [1, 1, 3]).expand(1, 4000, 3).contiguous();
        foreach (var t in new[] { 1.0, 2.0 })
        {
            var rows = CaptionSampler.Choose(logits, new GenerationOptions { Strategy = DecodingStrategy.Sample, Temperature = t, Seed = 1 }, eosId: -1);
            var want = p.Select(x => Math.Pow(x, 1 / t)).ToArray();
            var z = want.Sum();
            for (int id = 0; id < 3; id++)
            {
                var freq = rows[0].Count(x => x == id) / 4000.0;
                Assert.True(Math.Abs(freq - want[id] / z) < 0.03, $"T={t} token {id}: frequency {freq:F3} vs {want[id] / z:F3}");
            }
        }
    }

    [Fact]
    public void SuppressedAndOutOfVocabularyIdsAreNeverChosen()
    {
        var logits = zeros(1, 4, 10);
        logits[0, .., 0] = 9f;   // pad wins unless suppressed
        logits[0, .., 8] = 8f;   // beyond the vocabulary file (limit 8)
        logits[0, .., 5] = 1f;
        var rows = CaptionSampler.Choose(logits, GenerationOptions.Greedy, Eos, vocabLimit: 8, suppress: [0]);
        Assert.Equal([5L, 5, 5, 5], rows[0]);
        Assert.Equal(2, CaptionSampler.Choose(logits, GenerationOptions.Greedy with { MaxTokens = 2 }, Eos, 8, [0])[0].Length);
    }

    [Fact]
    public void BadSettingsAreRefused()
    {
        var logits = RandomLogits();
        Assert.Throws<ClipSharp.Core.ClipSharpException>(() => CaptionSampler.Choose(logits, new GenerationOptions { Temperature = 0 }, Eos));
        Assert.Throws<ClipSharp.Core.ClipSharpException>(() => CaptionSampler.Choose(logits, new GenerationOptions { TopP = 0 }, Eos));
        Assert.Throws<ClipSharp.Core.ClipSharpException>(() => CaptionSampler.Choose(logits, new GenerationOptions { TopK = -1 }, Eos));
    }
}
