namespace ClipSharp.Data;

/// <summary>The reasons a sample is skipped, as they appear in <see cref="BadSampleReport"/> and in run metrics.</summary>
public static class BadSampleReasons
{
    /// <summary>The sample has no image member / image file.</summary>
    public const string MissingImage = "missing_image";
    /// <summary>The image data is 0 bytes.</summary>
    public const string EmptyImage = "empty_image";
    /// <summary>The image cannot be decoded: unknown format, corrupt or truncated data.</summary>
    public const string CorruptImage = "corrupt_image";
    /// <summary>The image has more pixels than the decompression-bomb limit.</summary>
    public const string ImageTooLarge = "image_too_large";
    /// <summary>A tar member whose data the shard's end cut off.</summary>
    public const string TruncatedMember = "truncated_member";
    /// <summary>A shard that ends inside a tar header (counted once per shard; key = the last complete key).</summary>
    public const string TruncatedShard = "truncated_shard";
    /// <summary>A shard with a damaged tar header (bad checksum or size); the rest of the shard is skipped.</summary>
    public const string CorruptShard = "corrupt_shard";
    /// <summary>A shard, manifest or image file that cannot be opened or read.</summary>
    public const string UnreadableFile = "unreadable_file";
    /// <summary>A text field or file that is not valid UTF-8.</summary>
    public const string InvalidUtf8 = "invalid_utf8";
    /// <summary>A sample's .json member (or a manifest line) that is not valid JSON.</summary>
    public const string InvalidJson = "invalid_json";
    /// <summary>A manifest row that cannot be split into the header's columns (more CSV fields than the header).</summary>
    public const string InvalidRow = "invalid_row";
    /// <summary>No web caption although a requested view needs it.</summary>
    public const string MissingWebCaption = "missing_web_caption";
    /// <summary>A web caption that is empty or only white space.</summary>
    public const string EmptyWebCaption = "empty_web_caption";
    /// <summary>No synthetic caption although a requested view needs it.</summary>
    public const string MissingSyntheticCaption = "missing_synthetic_caption";
    /// <summary>A synthetic caption that is empty or only white space.</summary>
    public const string EmptySyntheticCaption = "empty_synthetic_caption";
    /// <summary>Any other failure while preparing the sample (the message says what).</summary>
    public const string UnexpectedError = "unexpected_error";
}
