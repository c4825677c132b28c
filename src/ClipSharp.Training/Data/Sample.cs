namespace ClipSharp.Data;

/// <summary>
/// One raw training sample as a source yields it, before decoding or tokenization.
/// </summary>
/// <param name="Key">The sample's key (webdataset <c>__key__</c>, a manifest's key column or the image's relative path).</param>
/// <param name="Origin">Where it came from: the shard, manifest or folder path (used in error reports).</param>
/// <param name="ImageBytes">The encoded image file.</param>
/// <param name="ImageExt">Its extension, lower case without the dot ("jpg", "png", ...).</param>
/// <param name="WebCaption">The web alt-text caption, or null when the sample has none.</param>
/// <param name="SyntheticCaption">The synthetic caption, or null (plain CLIP data).</param>
/// <param name="OtherFields">Text manifests (JSONL, CSV): the row's other columns (not the image, key or caption
/// columns) as strings, kept by <c>clipsharp data convert</c>; null for other sources.</param>
public sealed record Sample(string Key, string Origin, byte[] ImageBytes, string ImageExt, string? WebCaption, string? SyntheticCaption,
    IReadOnlyDictionary<string, string>? OtherFields = null);
