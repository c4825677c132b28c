using ClipSharp.Scenes.Mentions;

namespace ClipSharp.Scenes;

/// <summary>One retrieval-eval image's scene, its human-style reference captions and the held-out-style ones (each
/// with what it states).</summary>
public sealed record EvalSample(Scene Scene, IReadOnlyList<WrittenCaption> Captions, IReadOnlyList<WrittenCaption> HeldOut);
