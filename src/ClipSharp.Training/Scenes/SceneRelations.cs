namespace ClipSharp.Scenes;

/// <summary>
/// Relations follow from grid cells (jitter never leaves a cell, so they agree with pixel positions):
/// A left of B when A's column is smaller, A above B when A's row is smaller, A next to B when their cells share an
/// edge. Symmetric "next to" is listed once (lower index first); left/above are listed in their true direction.
/// </summary>
public static class SceneRelations
{
    /// <summary>All relations of a scene, in a fixed order.</summary>
    public static IReadOnlyList<SceneRelation> Of(Scene scene)
    {
        var list = new List<SceneRelation>();
        var objs = scene.Objects;
        for (var i = 0; i < objs.Count; i++)
        for (var j = 0; j < objs.Count; j++)
        {
            if (i == j) continue;
            var (a, b) = (objs[i], objs[j]);
            if (a.Col < b.Col) list.Add(new SceneRelation(i, RelationKind.LeftOf, j));
            if (a.Row < b.Row) list.Add(new SceneRelation(i, RelationKind.Above, j));
            if (i < j && Math.Abs(a.Row - b.Row) + Math.Abs(a.Col - b.Col) == 1) list.Add(new SceneRelation(i, RelationKind.NextTo, j));
        }
        return list;
    }

    /// <summary>How many objects have each shape, in first-appearance order.</summary>
    public static IReadOnlyList<(ShapeKind Shape, int Count)> ShapeCounts(Scene scene) =>
        scene.Objects.GroupBy(o => o.Shape).Select(g => (g.Key, g.Count())).ToList();
}
