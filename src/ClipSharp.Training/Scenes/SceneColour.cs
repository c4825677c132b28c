namespace ClipSharp.Scenes;

/// <summary>
/// Every named colour of the world. Objects use the first twelve (<see cref="SceneLexicon.ObjectColours"/>), backgrounds
/// use <see cref="SceneLexicon.BackgroundColours"/>; RGB values live in <see cref="SceneLexicon.Rgb"/>.
/// </summary>
public enum SceneColour
{
    Red, Orange, Yellow, Green, Cyan, Blue, Purple, Pink, Brown, Black, Gray, White,
    LightGray, Beige, PaleBlue, PaleGreen, PaleYellow, Lavender, DarkGray, Navy,
}
