namespace ClipSharp.Scenes;

/// <summary>Direction of a gradient background: first colour at the start (left, top, top-left).</summary>
public enum GradientDirection { Horizontal, Vertical, Diagonal }
