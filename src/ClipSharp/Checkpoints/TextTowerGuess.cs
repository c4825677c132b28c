namespace ClipSharp.Checkpoints;

/// <summary>
/// A text tower read off state-dict shapes: `token_embedding.weight` (vocab, width), `positional_embedding`
/// (context [+1 for CoCa's cls_emb], width), `transformer.resblocks.N`; <paramref name="Prefix"/> is "" for CLIP and
/// "text." for towers built with custom_text (CoCa).
/// </summary>
public sealed record TextTowerGuess(string Prefix, int Width, int Layers, int ContextLength, int VocabSize, bool HasClsEmbedding, int? OutputDim);
