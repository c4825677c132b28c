namespace ClipSharp.Scenes;

/// <summary>How an object is filled.</summary>
public enum PatternKind { Solid, Striped, Dotted, Outlined }
