namespace ClipSharp.Fuzz;

/// <summary>An input that broke the contract: the kind (exception type, "Slow", "OverAllocation", "UnnamedError"), the
/// message and the input bytes.</summary>
public sealed record FuzzFailure(string Kind, string Message, byte[] Input);
