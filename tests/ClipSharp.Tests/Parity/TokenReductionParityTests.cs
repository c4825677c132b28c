using System.Text.Json;
using ClipSharp.Tests.Support;
using ClipSharp.Text;

namespace ClipSharp.Tests.Parity;

/// <summary>
/// Every case of clips/token_reduction/cases.jsonl (file and budgets from the clips manifest's "token_reduction"):
/// cleaning, word-pieces, sentence split, sub-caption candidates and their 80-token rows, the empty-caption fallback,
/// decoder targets (Q=128), and for every budget K the truncation ids, block windows, random lengths and order.
/// Random strategies are checked over many (epoch, key) draws: every output must be an allowed outcome.
/// </summary>
public class TokenReductionParityTests
{
    private const int Draws = 200;

    private static readonly Lazy<(string File, int[] Budgets)> Manifest = new(() =>
    {
        var root = Path.Combine(TestPaths.Fixtures, "clips");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "manifest.json")));
        var tr = doc.RootElement.GetProperty("token_reduction");
        return (Path.Combine(root, tr.GetProperty("file").GetString()!),
            tr.GetProperty("budgets").EnumerateArray().Select(b => b.GetInt32()).ToArray());
    });

    public static TheoryData<int, string> Rows => TokenizerFixtures.Rows(Manifest.Value.File);

    private static JsonElement Case(int id) => TokenizerFixtures.Load(Manifest.Value.File)[id];
    private static ClipsWordPieceTokenizer Tok => TokenizerFixtures.ClipsTokenizer;

    [SharedTheory]
    [MemberData(nameof(Rows))]
    public void TokenizationSplitAndCandidates(int id, string category)
    {
        var c = Case(id);
        var text = c.GetProperty("text").GetString()!;
        var tag = $"case {id} ({category})";
        Assert.True(c.GetProperty("cleaned").GetString() == TextCleaner.Whitespace(text), $"{tag}: cleaned text differs");
        TokenizerFixtures.AssertIds(TokenizerFixtures.Ints(c.GetProperty("wordpiece_ids")), Tok.ContentIds(text), $"{tag} wordpiece_ids");

        var sentences = SubCaptionSplitter.Split(text);
        Assert.Equal(c.GetProperty("sentences").EnumerateArray().Select(s => s.GetString()!).ToList(), sentences);
        Assert.Equal(c.GetProperty("subcaption_fallback_to_web").GetBoolean(), sentences.Count == 0);

        var candidates = c.GetProperty("subcaption_candidates").EnumerateArray().Select(s => s.GetString()!).ToList();
        var candIds = c.GetProperty("subcaption_candidate_wordpiece_ids").EnumerateArray().Select(TokenizerFixtures.Ints).ToList();
        var candRows = c.GetProperty("subcaption_candidate_ids80").EnumerateArray().Select(TokenizerFixtures.Longs).ToList();
        for (var i = 0; i < candidates.Count; i++)
        {
            TokenizerFixtures.AssertIds(candIds[i], Tok.ContentIds(candidates[i]), $"{tag} candidate {i} wordpiece ids");
            TokenizerFixtures.AssertIds(candRows[i], Tok.Frame(candIds[i]), $"{tag} candidate {i} ids80");
            TokenizerFixtures.AssertIds(candRows[i], Tok.Encode(candidates[i]), $"{tag} candidate {i} Encode");
        }
    }

    [SharedTheory]
    [MemberData(nameof(Rows))]
    public void SubCaptionDrawsOnlyAndAllCandidates(int id, string category)
    {
        var c = Case(id);
        var text = c.GetProperty("text").GetString()!;
        var web = c.GetProperty("web_text").GetString()!;
        var rows = c.GetProperty("subcaption_candidate_ids80").EnumerateArray().Select(TokenizerFixtures.Longs).ToList();
        var reducer = new CaptionTokenReducer(Tok, new TokenReductionOptions { Seed = 7 });
        var seen = new HashSet<int>();
        for (var d = 0; d < Draws; d++)
        {
            var r = reducer.Reduce(text, web, epoch: d % 5, sampleKey: $"sample-{d}");
            Assert.Equal(c.GetProperty("subcaption_fallback_to_web").GetBoolean(), r.FellBackToWeb);
            var row = Tok.Frame(r.ContentIds);
            Assert.True(rows.Any(x => x.SequenceEqual(row)),
                $"case {id} ({category}): draw {d} gave a row that is no candidate: [{string.Join(", ", row)}]");
            // The drawn sentence's own row (candidates can repeat, so check by index too).
            var k = r.FellBackToWeb ? 0 : r.SentenceIndex;
            TokenizerFixtures.AssertIds(rows[k], row, $"case {id} ({category}) draw {d} candidate {k}");
            seen.Add(k);
        }
        // A uniform draw over at most a few candidates hits each one in 200 draws (miss chance < 1e-13 here).
        if (rows.Count <= 8) Assert.Equal(rows.Count, seen.Count);
    }

    [SharedTheory]
    [MemberData(nameof(Rows))]
    public void DecoderTargets128(int id, string category)
    {
        var c = Case(id);
        var reduced = new CaptionTokenReducer(Tok, new TokenReductionOptions())
            .Reduce(c.GetProperty("text").GetString()!, c.GetProperty("web_text").GetString()!, 0, "k");
        var t = CaptionTargets.For(Tok, reduced.TargetText, 128);
        var nValid = c.GetProperty("targets128_n_valid").GetInt32();
        var expected = TokenizerFixtures.Longs(c.GetProperty("targets128_prefix")).Concat(Enumerable.Repeat(0L, 128 - nValid)).ToArray();
        TokenizerFixtures.AssertIds(expected, t.Targets, $"case {id} ({category}) targets128");
        Assert.Equal(nValid, t.ValidCount);
        Assert.All(t.Mask.Take(nValid), m => Assert.Equal(1f, m));
    }

    [SharedTheory]
    [MemberData(nameof(Rows))]
    public void BudgetStrategies(int id, string category)
    {
        var c = Case(id);
        var ids = TokenizerFixtures.Ints(c.GetProperty("wordpiece_ids"));
        var candIds = c.GetProperty("subcaption_candidate_wordpiece_ids").EnumerateArray().Select(TokenizerFixtures.Ints).ToList();
        var budgets = c.GetProperty("budgets");
        Assert.Equal(Manifest.Value.Budgets.Select(b => b.ToString()).Order(), budgets.EnumerateObject().Select(p => p.Name).Order());
        foreach (var kv in budgets.EnumerateObject())
        {
            var k = int.Parse(kv.Name);
            var b = kv.Value;
            var tag = $"case {id} ({category}) K={k}";
            var opts = new TokenReductionOptions { Budget = k, Seed = 3 };
            Assert.Equal(b.GetProperty("n_keep").GetInt32(), opts.KeepCount);
            Assert.Equal(b.GetProperty("reduced").GetBoolean(), ids.Length > opts.KeepCount);

            var rng = ReductionRandom.For(3, 0, "t");
            TokenizerFixtures.AssertIds(TokenizerFixtures.Ints(b.GetProperty("truncation_wordpiece_ids")),
                CaptionTokenReducer.ReduceIds(ids, TokenReductionStrategy.Truncation, opts.KeepCount, ref rng), $"{tag} truncation");
            Assert.Equal(ids, CaptionTokenReducer.ReduceIds(ids, TokenReductionStrategy.None, opts.KeepCount, ref rng));

            var starts = TokenizerFixtures.Ints(b.GetProperty("block_starts"));
            var randomLen = b.GetProperty("random_len").GetInt32();
            var subcaptions = candIds.Select(x => x.Take(k - 1).ToArray()).ToList();
            var reducers = new[] { TokenReductionStrategy.Block, TokenReductionStrategy.Random, TokenReductionStrategy.Shuffle, TokenReductionStrategy.SubCaption }
                .Select(s => new CaptionTokenReducer(Tok, opts with { Strategy = s })).ToArray();
            for (var d = 0; d < Draws / 4; d++)
            {
                var text = c.GetProperty("text").GetString()!;
                var web = c.GetProperty("web_text").GetString()!;
                var outs = reducers.Select(r => r.Reduce(text, web, d, $"s{d}").ContentIds).ToArray();
                Assert.True(starts.Any(s => ids.Skip(s).Take(opts.KeepCount!.Value).SequenceEqual(outs[0])),
                    $"{tag}: block output is no allowed window: [{string.Join(", ", outs[0])}]");
                Assert.Equal(randomLen, outs[1].Length);
                Assert.True(IsSubsequence(outs[1], ids), $"{tag}: random output is not an order-preserving subsequence");
                Assert.Equal(randomLen, outs[2].Length);
                Assert.True(IsSubMultiset(outs[2], ids), $"{tag}: shuffle output is not drawn from the caption's ids");
                Assert.True(subcaptions.Any(s => s.SequenceEqual(outs[3])), $"{tag}: sub-caption output is no truncated candidate");
            }
        }
    }

    private static bool IsSubsequence(int[] sub, int[] full)
    {
        var j = 0;
        foreach (var x in full) if (j < sub.Length && sub[j] == x) j++;
        return j == sub.Length;
    }

    private static bool IsSubMultiset(int[] sub, int[] full)
    {
        var counts = full.GroupBy(x => x).ToDictionary(g => g.Key, g => g.Count());
        foreach (var x in sub)
        {
            if (!counts.TryGetValue(x, out var n) || n == 0) return false;
            counts[x] = n - 1;
        }
        return true;
    }
}
