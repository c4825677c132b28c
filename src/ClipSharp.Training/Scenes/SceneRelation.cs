namespace ClipSharp.Scenes;

/// <summary>"Objects[<paramref name="Subject"/>] is <paramref name="Kind"/> Objects[<paramref name="Object"/>]".</summary>
public sealed record SceneRelation(int Subject, RelationKind Kind, int Object);
