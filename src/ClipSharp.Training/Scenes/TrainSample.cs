namespace ClipSharp.Scenes;

/// <summary>One training sample's scene and captions (web alt-text and synthetic recaption).</summary>
public sealed record TrainSample(Scene Scene, WebCaption Web, string Recaption);
