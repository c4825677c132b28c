namespace ClipSharp.Text;

/// <summary>
/// The result of reducing one synthetic caption.
/// </summary>
/// <param name="ContentIds">Content ids for the text encoder (no specials); frame them with <see cref="ITextTokenizer.Frame"/>.</param>
/// <param name="FellBackToWeb">The synthetic caption had no sentence (empty, or only '.'/'!'), so the web caption was
/// used (spec §2.2) — for the sub-caption content, and for the decoder targets whatever the strategy.</param>
/// <param name="TargetText">The full caption the captioner's targets are built from (synthetic, or web on fallback).</param>
/// <param name="SentenceIndex">Index of the drawn sentence (sub-caption), else -1.</param>
public sealed record ReducedCaption(int[] ContentIds, bool FellBackToWeb, string TargetText, int SentenceIndex);
