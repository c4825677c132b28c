namespace ClipSharp.Data.Sources;

/// <summary>One regular-file member of a tar archive.</summary>
public readonly record struct TarMember(string Name, byte[] Data);
