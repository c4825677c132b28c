namespace ClipSharp.Inference;

/// <summary>One indexed file: its full path, and the size and last-write time (UTC ticks) it had when embedded.</summary>
public sealed record IndexEntry(string Path, long Size, long WriteTicks);

/// <summary>A search answer: the file and its cosine similarity to the query.</summary>
public sealed record SearchHit(string Path, float Score);
