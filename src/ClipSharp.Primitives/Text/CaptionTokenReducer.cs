namespace ClipSharp.Text;

/// <summary>
/// Shortens synthetic captions for the text encoder with one of the strategies of <see cref="TokenReductionStrategy"/>.
/// Each call is a pure function of (options.Seed, epoch, sample key, captions): see <see cref="ReductionRandom"/>.
/// Truncation, random, shuffle and block act on the content ids of the whole cleaned caption and leave a caption of
/// at most K-1 ids unchanged; sub-caption splits the raw caption into sentences, draws one, and tokenizes it (capped
/// to K-1 ids when a budget is set). Thread-safe.
/// </summary>
public sealed class CaptionTokenReducer
{
    private readonly ITextTokenizer _tokenizer;

    /// <summary>Creates the reducer; throws a ClipSharpException for unusable options.</summary>
    public CaptionTokenReducer(ITextTokenizer tokenizer, TokenReductionOptions options)
    {
        options.Validate();
        _tokenizer = tokenizer;
        Options = options;
    }

    /// <summary>The options.</summary>
    public TokenReductionOptions Options { get; }

    /// <summary>The tokenizer whose content ids and layout are used.</summary>
    public ITextTokenizer Tokenizer => _tokenizer;

    /// <summary>Reduces one sample's synthetic caption; <paramref name="webCaption"/> is the empty-caption fallback.</summary>
    public ReducedCaption Reduce(string syntheticCaption, string? webCaption, long epoch, string sampleKey)
    {
        var rng = ReductionRandom.For(Options.Seed, epoch, sampleKey);
        var sentences = SubCaptionSplitter.Split(syntheticCaption);
        var fallback = sentences.Count == 0;
        var targetText = CaptionTargets.TargetText(syntheticCaption, webCaption);
        if (Options.Strategy == TokenReductionStrategy.SubCaption)
        {
            if (fallback) return new ReducedCaption(Cap(_tokenizer.ContentIds(targetText)), true, targetText, -1);
            if (Options.SubCaptionFillToBudget) return new ReducedCaption(FillToBudget(sentences, ref rng), false, targetText, -1);
            var pick = rng.NextInt(sentences.Count);
            return new ReducedCaption(Cap(_tokenizer.ContentIds(sentences[pick])), false, targetText, pick);
        }
        var ids = _tokenizer.ContentIds(syntheticCaption);
        return new ReducedCaption(ReduceIds(ids, Options.Strategy, Options.KeepCount, ref rng), fallback, targetText, -1);
    }

    /// <summary><see cref="Reduce"/> framed into the tokenizer's row layout.</summary>
    public long[] ReduceToRow(string syntheticCaption, string? webCaption, long epoch, string sampleKey) =>
        _tokenizer.Frame(Reduce(syntheticCaption, webCaption, epoch, sampleKey).ContentIds);

    /// <summary>
    /// Reduces content ids with a budget-based strategy (truncation, random, shuffle, block; none returns them).
    /// <paramref name="keep"/> = K-1; ids of length at most <paramref name="keep"/> come back unchanged.
    /// </summary>
    public static int[] ReduceIds(int[] ids, TokenReductionStrategy strategy, int? keep, ref ReductionRandom rng)
    {
        if (keep is not { } k || ids.Length <= k || strategy == TokenReductionStrategy.None) return ids;
        switch (strategy)
        {
            case TokenReductionStrategy.Truncation:
                return ids[..k];
            case TokenReductionStrategy.Random:
            {
                var positions = rng.Sample(ids.Length, k);
                Array.Sort(positions);
                return positions.Select(p => ids[p]).ToArray();
            }
            case TokenReductionStrategy.Shuffle:
                return rng.Sample(ids.Length, k).Select(p => ids[p]).ToArray();
            case TokenReductionStrategy.Block:
            {
                var start = rng.NextInt(ids.Length - k + 1);
                return ids[start..(start + k)];
            }
            case TokenReductionStrategy.SubCaption:
                throw new ArgumentException("Sub-caption reduction works on sentences; use Reduce.", nameof(strategy));
            default:
                throw new ArgumentOutOfRangeException(nameof(strategy), strategy, null);
        }
    }

    private int[] Cap(int[] ids) => Options.KeepCount is { } k && ids.Length > k ? ids[..k] : ids;

    // Sentences in random order until K-1 ids are collected, then re-ordered as in the caption and truncated.
    private int[] FillToBudget(List<string> sentences, ref ReductionRandom rng)
    {
        var keep = Options.KeepCount!.Value;
        var order = rng.Sample(sentences.Count, sentences.Count);
        var chosen = new SortedDictionary<int, int[]>();
        var total = 0;
        foreach (var s in order)
        {
            if (total >= keep) break;
            var ids = _tokenizer.ContentIds(sentences[s]);
            chosen[s] = ids;
            total += ids.Length;
        }
        var all = chosen.Values.SelectMany(x => x).ToArray();
        return all.Length > keep ? all[..keep] : all;
    }
}
