namespace ClipSharp.Scenes;

/// <summary>The one attribute the images of a fine-grained bag differ in (JSON: "colour", "shape", ...).</summary>
public enum BagAttribute { Colour, Shape, Size, Pattern, Position, Count }
