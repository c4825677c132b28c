namespace ClipSharp.Scenes;

/// <summary>One retrieval-eval image's scene and its human-style reference captions.</summary>
public sealed record EvalSample(Scene Scene, IReadOnlyList<string> Captions);
