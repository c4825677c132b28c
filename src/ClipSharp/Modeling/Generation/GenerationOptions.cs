using ClipSharp.Core;

namespace ClipSharp.Modeling.Generation;

/// <summary>How a token is chosen at each caption position from the captioner's one-pass logits.</summary>
public enum DecodingStrategy
{
    /// <summary>The most likely token at every position (argmax; deterministic).</summary>
    Greedy,
    /// <summary>A draw from softmax(logits / temperature), restricted by top-k and top-p, seeded.</summary>
    Sample,
}

/// <summary>
/// Caption decoding settings for the CLIPS learnable-query captioner.
/// </summary>
/// <remarks>
/// Spec ambiguity A1 ("autoregressive captioner"), decided: the decoder's inputs are the image/web-caption prefix and
/// Q learnable queries; it never reads caption tokens (no teacher forcing in training, nothing to feed back in
/// generation). Query i sees queries 0..i through the causal mask, so the hidden state of position i depends on earlier
/// positions' hidden states, but not on which token was chosen there. Every strategy is therefore one forward pass
/// followed by an independent choice per position; a token-by-token loop would recompute identical logits. A
/// teacher-forced variant would be a different model (spec §8.1 A1), so none is offered.
/// </remarks>
public sealed record GenerationOptions
{
    /// <summary>Greedy (default) or sampling.</summary>
    public DecodingStrategy Strategy { get; init; } = DecodingStrategy.Greedy;

    /// <summary>Softmax temperature for sampling (&gt; 0; 1 = the model's distribution).</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Keep only the k most likely tokens before sampling; 0 = no limit.</summary>
    public int TopK { get; init; }

    /// <summary>Nucleus sampling: keep the smallest set of most likely tokens whose mass reaches p (0 &lt; p ≤ 1; 1 = off).</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>Seed of the draws; the same seed, logits and options give the same tokens on any device.</summary>
    public long Seed { get; init; }

    /// <summary>At most this many tokens per caption (0 = all queries).</summary>
    public int MaxTokens { get; init; }

    /// <summary>The defaults: greedy over all positions.</summary>
    public static GenerationOptions Greedy { get; } = new();

    /// <summary>Checks the value ranges; the message names the bad setting.</summary>
    public GenerationOptions Validated()
    {
        if (!(Temperature > 0) || double.IsInfinity(Temperature)) throw new ClipSharpException($"Generation temperature must be a positive number, not {Temperature}.");
        if (TopK < 0) throw new ClipSharpException($"Generation top-k must be >= 0 (0 = off), not {TopK}.");
        if (!(TopP > 0 && TopP <= 1)) throw new ClipSharpException($"Generation top-p must be in (0, 1], not {TopP}.");
        if (MaxTokens < 0) throw new ClipSharpException($"Generation max tokens must be >= 0 (0 = all queries), not {MaxTokens}.");
        return this;
    }
}
