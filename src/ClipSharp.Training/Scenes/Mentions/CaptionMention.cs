namespace ClipSharp.Scenes.Mentions;

/// <summary>What a caption says about one object; null parts are left unsaid.</summary>
public sealed record ObjectMention(
    ShapeKind? Shape = null, SceneColour? Colour = null, SizeClass? Size = null, PatternKind? Pattern = null, int? Cell = null)
{
    /// <summary>True when <paramref name="o"/> has every attribute this mention states.</summary>
    public bool Matches(SceneObject o) =>
        (Shape is null || Shape == o.Shape) && (Colour is null || Colour == o.Colour) && (Size is null || Size == o.Size)
        && (Pattern is null || Pattern == o.Pattern) && (Cell is null || Cell == o.Cell);
}

/// <summary>
/// What a caption says about the background: its kind when the words imply one ("blank" plain, "faded" gradient,
/// "speckled" texture), its (first) colour, and the second colour when a gradient's two ends are named.
/// </summary>
public sealed record BackgroundMention(SceneColour Colour, BackgroundKind? Kind = null, SceneColour? Colour2 = null)
{
    /// <summary>True when <paramref name="b"/> fits the mention.</summary>
    public bool Matches(SceneBackground b) =>
        b.Colour == Colour && (Kind is null || Kind == b.Kind) && (Colour2 is null || (b.Kind == BackgroundKind.Gradient && b.Colour2 == Colour2));
}

/// <summary>A spatial relation a caption states between its first and second mentioned objects.</summary>
public enum MentionRelation { NextTo, LeftOf, RightOf, Above, Below }

/// <summary>
/// Everything a caption states about its scene, recorded by the writer that wrote it (so nothing is parsed back from
/// text): the objects it names (distinct objects, the first one the subject), the background, the object count and a
/// relation between the first two objects. The oracle ceilings rank images by whether their scene fits this.
/// </summary>
public sealed record CaptionMention(
    IReadOnlyList<ObjectMention> Objects, BackgroundMention? Background = null, int? Count = null, MentionRelation? Relation = null)
{
    /// <summary>True when the scene holds distinct objects fitting every object mention (in the stated relation),
    /// the background fits and the object count is the stated one.</summary>
    public bool Matches(Scene scene)
    {
        if (Count is { } n && scene.Objects.Count != n) return false;
        if (Background is { } bg && !bg.Matches(scene.Background)) return false;
        return Assign(scene.Objects, 0, new SceneObject?[Objects.Count]);
    }

    // Backtracking over distinct objects for each mention (captions name at most a few objects).
    private bool Assign(IReadOnlyList<SceneObject> objects, int i, SceneObject?[] chosen)
    {
        if (i == Objects.Count) return Relation is not { } r || chosen.Length < 2 || Holds(r, chosen[0]!, chosen[1]!);
        foreach (var o in objects)
        {
            if (!Objects[i].Matches(o) || Array.IndexOf(chosen, o, 0, i) >= 0) continue;
            chosen[i] = o;
            if (Assign(objects, i + 1, chosen)) return true;
        }
        chosen[i] = null;
        return false;
    }

    /// <summary>Whether relation <paramref name="r"/> holds from <paramref name="a"/> to <paramref name="b"/> (grid cells).</summary>
    public static bool Holds(MentionRelation r, SceneObject a, SceneObject b) => r switch
    {
        MentionRelation.NextTo => Math.Abs(a.Row - b.Row) + Math.Abs(a.Col - b.Col) == 1,
        MentionRelation.LeftOf => a.Row == b.Row && a.Col < b.Col,
        MentionRelation.RightOf => a.Row == b.Row && a.Col > b.Col,
        MentionRelation.Above => a.Col == b.Col && a.Row < b.Row,
        _ => a.Col == b.Col && a.Row > b.Row,
    };
}

/// <summary>A caption and what it states.</summary>
public sealed record WrittenCaption(string Text, CaptionMention Mention);
