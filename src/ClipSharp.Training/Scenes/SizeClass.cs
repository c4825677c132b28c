namespace ClipSharp.Scenes;

/// <summary>
/// Object size classes. Four (not three) so that a size bag has the minimum four images; radii are in
/// <see cref="SceneLexicon.RadiusOf"/> as a fraction of one grid cell.
/// </summary>
public enum SizeClass { Tiny, Small, Medium, Large }
