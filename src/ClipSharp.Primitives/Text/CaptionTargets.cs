namespace ClipSharp.Text;

/// <summary>
/// Captioner targets for one caption (spec §3.2, OpenVision): <c>y = [bos] + ids + [eos]</c>, 0-padded or truncated
/// to Q (when truncated, y[Q-1] = eos); <c>Targets = y[1:] + [pad]</c>, <c>Mask = (y != pad)[1:] + [0]</c>.
/// Query i predicts y[i+1]: the first real token, ..., eos, then padding with mask 0.
/// </summary>
/// <param name="Targets">(Q) target ids.</param>
/// <param name="Mask">(Q) 1 on real targets (including eos), 0 on padding.</param>
public sealed record CaptionTargets(long[] Targets, float[] Mask)
{
    /// <summary>Number of real targets (sum of the mask).</summary>
    public int ValidCount => Mask.Count(m => m != 0);

    /// <summary>Targets for content ids with explicit special ids.</summary>
    public static CaptionTargets Build(ReadOnlySpan<int> contentIds, int length, int bosId, int eosId, int padId = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 2);
        var y = new long[length];
        Array.Fill(y, padId);
        y[0] = bosId;
        var n = Math.Min(contentIds.Length, length - 1);
        for (var i = 0; i < n; i++) y[1 + i] = contentIds[i];
        if (1 + contentIds.Length < length) y[1 + contentIds.Length] = eosId;
        else y[length - 1] = eosId; // truncated (or exactly full): eos forced into the last slot
        var targets = new long[length];
        var mask = new float[length];
        for (var i = 0; i < length - 1; i++)
        {
            targets[i] = y[i + 1];
            mask[i] = y[i + 1] != padId ? 1f : 0f;
        }
        targets[length - 1] = padId;
        return new CaptionTargets(targets, mask);
    }

    /// <summary>
    /// The caption the captioner predicts: the synthetic caption, or the web caption when the synthetic one has no
    /// sentence (spec §2.2, OpenVision's <c>key2_text = txt</c> fallback; "" when both are missing).
    /// </summary>
    public static string TargetText(string syntheticCaption, string? webCaption) =>
        SubCaptionSplitter.Split(syntheticCaption).Count == 0 ? webCaption ?? "" : syntheticCaption;

    /// <summary>Targets for a caption with the tokenizer's content ids and bos/eos/pad ids.</summary>
    public static CaptionTargets For(ITextTokenizer tokenizer, string caption, int length) =>
        Build(tokenizer.ContentIds(caption), length, tokenizer.BosId, tokenizer.EosId, tokenizer.PadId);
}
