namespace ClipSharp.Inference;

/// <summary>A caption of one image file, or why there is none (<see cref="Error"/> names the file and the cause).</summary>
public sealed record FileCaption(string Path, string? Caption, string? Error);
