namespace ClipSharp.Scenes;

/// <summary>How rendered images are encoded.</summary>
public enum ImageFormat { Jpeg, Png }
