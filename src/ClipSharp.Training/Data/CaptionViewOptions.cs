using ClipSharp.Core;
using ClipSharp.Text;

namespace ClipSharp.Data;

/// <summary>
/// Which token rows each sample produces (tokenized and reduced in the loader's workers): the
/// <see cref="TextView"/>s of <see cref="TrainBatch.Texts"/>. Every random
/// choice is a pure function of (loader seed, epoch, sample key).
/// </summary>
public sealed record CaptionViewOptions
{
    /// <summary>The tokenizer (its context length is the row length of every view but the targets).</summary>
    public required ITextTokenizer Tokenizer { get; init; }

    /// <summary>Texts.Web: the web caption's ids, (B, ctx) int64.</summary>
    public bool Web { get; init; } = true;

    /// <summary>
    /// Texts.Partial: the synthetic caption reduced by <see cref="CaptionTokenReducer.ReduceToRow"/> (falling back to
    /// the web caption when the synthetic one has no sentence). Its <c>Seed</c> is replaced by the loader's seed.
    /// </summary>
    public TokenReductionOptions? Partial { get; init; }

    /// <summary>Texts.Synthetic: the full synthetic caption's ids (truncated to ctx).</summary>
    public bool SyntheticFull { get; init; }

    /// <summary>
    /// Texts.Targets int64 (B, T): <see cref="CaptionTargets.For"/> of <see cref="CaptionTargets.TargetText"/> (the
    /// synthetic caption, or the web caption when it has no sentence); padding is the tokenizer's pad id.
    /// </summary>
    public int? TargetLength { get; init; }

    /// <summary>
    /// Texts.Mix: the web caption with this probability, else the partial synthetic caption (the full synthetic
    /// caption when <see cref="Partial"/> is null): the CLIPA/CoCa mixture baselines.
    /// </summary>
    public double? MixWebProbability { get; init; }

    /// <summary>Whether any view needs the web caption (the partial view uses it only as a fallback).</summary>
    public bool NeedsWeb => Web || MixWebProbability is > 0;

    /// <summary>Whether any view needs the synthetic caption.</summary>
    public bool NeedsSynthetic => Partial is not null || SyntheticFull || TargetLength is not null || MixWebProbability is < 1;

    /// <summary>Throws a <see cref="ClipSharpException"/> for unusable settings.</summary>
    public void Validate()
    {
        Partial?.Validate();
        if (TargetLength is < 2) throw new ClipSharpException($"Caption target length must be at least 2, not {TargetLength}.");
        if (MixWebProbability is { } p && !(p >= 0 && p <= 1)) throw new ClipSharpException($"Mix web probability must be in [0, 1], not {p}.");
    }
}
