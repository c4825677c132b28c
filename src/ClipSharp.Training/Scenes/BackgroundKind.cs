namespace ClipSharp.Scenes;

/// <summary>What fills the background: one colour, a two-colour linear gradient, or a tinted noise texture.</summary>
public enum BackgroundKind { Plain, Gradient, Texture }
