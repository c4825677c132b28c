namespace ClipSharp.Scenes;

/// <summary>The shapes an object can have (JSON: snake_case names).</summary>
public enum ShapeKind { Circle, Square, Triangle, Star, Hexagon, Cross, Ring, Heart, Diamond, Pentagon }
