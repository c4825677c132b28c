using ClipSharp.Core;

namespace ClipSharp.Text;

/// <summary>
/// Token reduction settings. <see cref="Budget"/> K counts tokens as OpenVision does: K tokens keep K-1 content ids
/// (the special token counts); a caption with at most K-1 ids is never reduced. Null means no budget: only the row
/// layout's capacity limits the length (the released CLIPS pipeline).
/// </summary>
public sealed record TokenReductionOptions
{
    /// <summary>The strategy (default: sub-caption, as CLIPS trains).</summary>
    public TokenReductionStrategy Strategy { get; init; } = TokenReductionStrategy.SubCaption;

    /// <summary>Token budget K (keeps K-1 content ids), or null for none. Required by random, shuffle and block;
    /// truncation without a budget is the layout's own truncation.</summary>
    public int? Budget { get; init; }

    /// <summary>
    /// Sub-caption variant (the project-page figure, spec §8.1 A2): draw sentences in random order until the budget
    /// is reached, keep them in caption order, truncate to K-1. Needs a budget. Off: exactly one sentence (the code).
    /// </summary>
    public bool SubCaptionFillToBudget { get; init; }

    /// <summary>Run seed; the random stream of a sample is a function of (seed, epoch, sample key).</summary>
    public ulong Seed { get; init; }

    /// <summary>Content ids kept under the budget (K-1), or null without a budget.</summary>
    public int? KeepCount => Budget is { } k ? k - 1 : null;

    /// <summary>Parses a strategy name: none, truncation, random, shuffle, block, subcaption (also "sub-caption").</summary>
    public static TokenReductionStrategy ParseStrategy(string name) => name.Trim().ToLowerInvariant() switch
    {
        "none" => TokenReductionStrategy.None,
        "truncation" or "truncate" or "first" => TokenReductionStrategy.Truncation,
        "random" => TokenReductionStrategy.Random,
        "shuffle" => TokenReductionStrategy.Shuffle,
        "block" or "simple" => TokenReductionStrategy.Block,
        "subcaption" or "sub-caption" or "sub_caption" => TokenReductionStrategy.SubCaption,
        _ => throw new ClipSharpException(
            $"Unknown token reduction strategy \"{name}\"; expected none, truncation, random, shuffle, block or subcaption."),
    };

    /// <summary>Throws a <see cref="ClipSharpException"/> when the combination is unusable.</summary>
    public void Validate()
    {
        if (Budget is < 2)
            throw new ClipSharpException($"Token reduction budget {Budget} is too small; it must be at least 2 (it keeps budget-1 tokens).");
        if (Budget is null && Strategy is TokenReductionStrategy.Random or TokenReductionStrategy.Shuffle
                or TokenReductionStrategy.Block)
            throw new ClipSharpException($"Token reduction \"{Strategy}\" needs a token budget.");
        if (Budget is null && SubCaptionFillToBudget)
            throw new ClipSharpException("Sub-caption \"fill to budget\" needs a token budget.");
    }
}
