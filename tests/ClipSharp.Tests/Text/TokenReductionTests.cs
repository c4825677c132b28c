using ClipSharp.Tests.Support;
using ClipSharp.Core;
using ClipSharp.Tests.Parity;
using ClipSharp.Text;

namespace ClipSharp.Tests.Text;

public class TokenReductionTests
{
    private const string Caption = "A red bus waits at a stop. The sky is grey! Two people stand near the door. " +
                                   "A dog sleeps under a bench. Leaves cover the wet road.";

    private static CaptionTokenReducer Reducer(TokenReductionStrategy s, int? budget = 8, ulong seed = 1, bool fill = false) =>
        new(TokenizerFixtures.ClipsTokenizer, new TokenReductionOptions { Strategy = s, Budget = budget, Seed = seed, SubCaptionFillToBudget = fill });

    [Fact]
    public void Fnv1aAndSplitMixAreTheDocumentedFunctions()
    {
        Assert.Equal(0xCBF29CE484222325UL, ReductionRandom.Fnv1a64(""));
        Assert.Equal(0xAF63DC4C8601EC8CUL, ReductionRandom.Fnv1a64("a"));
        var a = ReductionRandom.For(1, 2, "k");
        var b = ReductionRandom.For(1, 2, "k");
        Assert.Equal(a.NextUInt64(), b.NextUInt64());
        Assert.NotEqual(ReductionRandom.For(1, 2, "k").NextUInt64(), ReductionRandom.For(1, 3, "k").NextUInt64());
        Assert.NotEqual(ReductionRandom.For(1, 2, "k").NextUInt64(), ReductionRandom.For(2, 2, "k").NextUInt64());
        Assert.NotEqual(ReductionRandom.For(1, 2, "k").NextUInt64(), ReductionRandom.For(1, 2, "l").NextUInt64());
    }

    [Fact]
    public void NextIntIsUniformEnough()
    {
        var rng = ReductionRandom.For(0, 0, "uniform");
        var counts = new int[5];
        for (var i = 0; i < 50_000; i++) counts[rng.NextInt(5)]++;
        Assert.All(counts, c => Assert.InRange(c, 9_400, 10_600));
    }

    [SharedTheory]
    [InlineData(TokenReductionStrategy.SubCaption)]
    [InlineData(TokenReductionStrategy.Random)]
    [InlineData(TokenReductionStrategy.Shuffle)]
    [InlineData(TokenReductionStrategy.Block)]
    public void SameSeedEpochKeyGivesSameOutputAndEpochsDiffer(TokenReductionStrategy s)
    {
        var r1 = Reducer(s);
        var r2 = Reducer(s);
        var differs = 0;
        for (var k = 0; k < 20; k++)
        {
            var key = $"shard-0/{k:D6}";
            Assert.Equal(r1.ReduceToRow(Caption, "web", 3, key), r2.ReduceToRow(Caption, "web", 3, key));
            if (!r1.Reduce(Caption, "web", 3, key).ContentIds.SequenceEqual(r1.Reduce(Caption, "web", 4, key).ContentIds)) differs++;
        }
        Assert.True(differs >= 10, $"{s}: only {differs} of 20 samples changed between epochs");
    }

    [SharedFact]
    public void SubCaptionWithoutBudgetIsOneWholeSentence()
    {
        var tok = TokenizerFixtures.ClipsTokenizer;
        var sentences = SubCaptionSplitter.Split(Caption);
        Assert.Equal(5, sentences.Count);
        var r = Reducer(TokenReductionStrategy.SubCaption, budget: null).Reduce(Caption, null, 0, "x");
        Assert.Equal(tok.ContentIds(sentences[r.SentenceIndex]), r.ContentIds);
        Assert.Equal(Caption, r.TargetText);
    }

    [SharedFact]
    public void EmptyCaptionFallsBackToTheWebCaption()
    {
        var r = Reducer(TokenReductionStrategy.SubCaption).Reduce("..!", "a web caption", 0, "x");
        Assert.True(r.FellBackToWeb);
        Assert.Equal("a web caption", r.TargetText);
        Assert.Equal(TokenizerFixtures.ClipsTokenizer.ContentIds("a web caption"), r.ContentIds);
        var t = Reducer(TokenReductionStrategy.Truncation).Reduce("", "web words", 0, "x");
        Assert.Empty(t.ContentIds);
        Assert.Equal("web words", t.TargetText);
    }

    [SharedFact]
    public void FillToBudgetTakesWholeSentencesInCaptionOrderThenTruncates()
    {
        var tok = TokenizerFixtures.ClipsTokenizer;
        var sentenceIds = SubCaptionSplitter.Split(Caption).Select(tok.ContentIds).ToList();
        var reducer = Reducer(TokenReductionStrategy.SubCaption, budget: 16, fill: true);
        for (var k = 0; k < 30; k++)
        {
            var ids = reducer.Reduce(Caption, null, 0, $"k{k}").ContentIds;
            Assert.Equal(15, ids.Length);
            // The output is a truncated concatenation of sentences in increasing caption order.
            var pos = 0;
            var last = -1;
            while (pos < ids.Length)
            {
                var next = Enumerable.Range(last + 1, sentenceIds.Count - last - 1)
                    .First(s => sentenceIds[s].Take(ids.Length - pos).SequenceEqual(ids.Skip(pos).Take(sentenceIds[s].Length)));
                pos += sentenceIds[next].Length;
                last = next;
            }
        }
    }

    [SharedFact]
    public void ShortCaptionsAreNeverReduced()
    {
        var ids = TokenizerFixtures.ClipsTokenizer.ContentIds("a small cat");
        foreach (var s in new[] { TokenReductionStrategy.Random, TokenReductionStrategy.Shuffle, TokenReductionStrategy.Block })
            Assert.Equal(ids, Reducer(s, budget: 4).Reduce("a small cat", null, 0, "x").ContentIds);
    }

    [SharedFact]
    public void BadOptionsAreClearErrors()
    {
        var tok = TokenizerFixtures.ClipsTokenizer;
        Assert.Throws<ClipSharpException>(() => new CaptionTokenReducer(tok, new TokenReductionOptions { Strategy = TokenReductionStrategy.Block }));
        Assert.Throws<ClipSharpException>(() => new CaptionTokenReducer(tok, new TokenReductionOptions { Budget = 1 }));
        Assert.Throws<ClipSharpException>(() => new CaptionTokenReducer(tok, new TokenReductionOptions { SubCaptionFillToBudget = true }));
        Assert.Equal(TokenReductionStrategy.SubCaption, TokenReductionOptions.ParseStrategy("sub-caption"));
        var e = Assert.Throws<ClipSharpException>(() => TokenReductionOptions.ParseStrategy("syntax"));
        Assert.Contains("syntax", e.Message);
    }

    [SharedFact]
    public void BpeTokenizerWorksWithTheReducerToo()
    {
        var bpe = TokenizerFixtures.BpeTokenizer;
        var row = new CaptionTokenReducer(bpe, new TokenReductionOptions { Strategy = TokenReductionStrategy.Truncation, Budget = 4 })
            .ReduceToRow(Caption, null, 0, "x");
        Assert.Equal(bpe.Encode("a red bus")[..5], row[..5]);
        Assert.Equal(0, row[5]);
    }
}
