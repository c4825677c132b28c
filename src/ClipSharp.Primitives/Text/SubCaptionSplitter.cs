namespace ClipSharp.Text;

/// <summary>
/// OpenVision's sentence split of a raw synthetic caption (spec §2.2): runs of '.' or '!' are delimiters (removed),
/// parts of length 0 are dropped, whitespace-only parts are kept, nothing is stripped. "3.5" splits too; '?', ';'
/// and newlines do not. Works on the raw text, before cleaning.
/// </summary>
public static class SubCaptionSplitter
{
    /// <summary>The sentences, in order.</summary>
    public static List<string> Split(string caption)
    {
        var parts = new List<string>();
        var start = 0;
        for (var i = 0; i <= caption.Length; i++)
        {
            if (i < caption.Length && caption[i] != '.' && caption[i] != '!') continue;
            if (i > start) parts.Add(caption[start..i]);
            start = i + 1;
        }
        return parts;
    }
}
