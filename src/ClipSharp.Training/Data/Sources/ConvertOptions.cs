namespace ClipSharp.Data.Sources;

/// <summary>Options for <see cref="WebDatasetConverter"/>.</summary>
/// <param name="OutDir">Folder the shards go to (created if missing).</param>
/// <param name="ShardSize">Samples per shard (the last one may hold fewer).</param>
/// <param name="Strict">Fail on the first bad sample instead of skipping and counting it.</param>
public sealed record ConvertOptions(string OutDir, int ShardSize = 1000, bool Strict = false);
