namespace ClipSharp.Checkpoints;

/// <summary>
/// A caption decoder found under `text_decoder.`: <paramref name="Kind"/> is "coca" (cross-attention blocks) or "clips"
/// (learnable query tokens, self-attention over [image, text, queries]), or "unknown".
/// </summary>
public sealed record DecoderGuess(string Kind, int Width, int Layers, int? NumLearnableTokens);
