namespace ClipSharp.Scenes;

/// <summary>
/// A TrueMatch-style bag: 4–10 scenes identical except for one attribute of one object (<paramref name="TargetObject"/>
/// indexes it in every scene; for <see cref="BagAttribute.Count"/> the scenes hold 1..n copies of one object).
/// </summary>
public sealed record FineGrainedBag(int BagId, BagAttribute Attribute, int TargetObject, IReadOnlyList<BagImage> Images);
