namespace ClipSharp.Scenes;

/// <summary>One image of a bag: its scene and its target caption (which names the distinguishing attribute).</summary>
public sealed record BagImage(Scene Scene, string Caption);
