namespace ClipSharp.Scenes;

/// <summary>Kinds of spatial relation between two objects.</summary>
public enum RelationKind { LeftOf, Above, NextTo }
