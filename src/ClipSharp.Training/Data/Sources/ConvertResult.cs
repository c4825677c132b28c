namespace ClipSharp.Data.Sources;

/// <summary>What <see cref="WebDatasetConverter.Convert"/> wrote and skipped.</summary>
/// <param name="ShardPaths">The shards written, in order (<c>shard-000000.tar</c>, ...).</param>
/// <param name="Written">Samples written.</param>
/// <param name="Skipped">Bad samples skipped, by reason, with the first of each.</param>
public sealed record ConvertResult(IReadOnlyList<string> ShardPaths, long Written, BadSampleReport Skipped);
