namespace ClipSharp.Serving;

/// <summary>
/// Settings of <c>clipsharp serve</c>: what is served, where, and the limits every request lives under. The defaults
/// are the safe ones: loopback only, no CORS, 20 MB bodies, 40 megapixel images, 30 s per request, k ≤ 1000.
/// </summary>
public sealed record ServeOptions
{
    /// <summary>The index folder (built by <c>clipsharp embed</c>).</summary>
    public required string IndexDirectory { get; init; }

    /// <summary>
    /// The only folder whose files are read (thumbnails, <c>POST /items</c>) or named in answers (paths are given
    /// relative to it). Null: the deepest folder holding every indexed file.
    /// </summary>
    public string? Root { get; init; }

    /// <summary>Where Kestrel listens (semicolon-separated URLs; port 0 picks a free one).</summary>
    public string Urls { get; init; } = "http://127.0.0.1:8080";

    /// <summary>
    /// A key every API request must carry (<c>X-Api-Key</c> header or <c>Authorization: Bearer</c>); required when a
    /// URL is not loopback. The page and <c>/healthz</c> stay open.
    /// </summary>
    public string? ApiKey { get; init; }

    /// <summary>Largest request body in bytes.</summary>
    public long MaxBodyBytes { get; init; } = 20L * 1024 * 1024;

    /// <summary>Largest decoded image (width × height) accepted: the decoder's decompression-bomb guard.</summary>
    public long MaxPixels { get; init; } = 40_000_000;

    /// <summary>Longest a request may take (reading its body included); then 408.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest k (and the most results one page returns).</summary>
    public int MaxK { get; init; } = 1000;

    /// <summary>Largest offset of a results page.</summary>
    public int MaxOffset { get; init; } = 10_000;

    /// <summary>Origins allowed by CORS; empty (the default) sends no CORS headers at all.</summary>
    public IReadOnlyList<string> CorsOrigins { get; init; } = [];

    /// <summary>Keep the index in step with the root while serving (<see cref="FolderWatcher"/>).</summary>
    public bool Watch { get; init; }

    /// <summary>Bytes of thumbnails kept in memory.</summary>
    public long ThumbnailCacheBytes { get; init; } = 64L * 1024 * 1024;
}
