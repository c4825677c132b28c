using ClipSharp.Scenes.Mentions;

namespace ClipSharp.Scenes;

/// <summary>One image of a bag: its scene, its target caption (which names the distinguishing attribute) and what
/// that caption states.</summary>
public sealed record BagImage(Scene Scene, string Caption, CaptionMention Mention);
