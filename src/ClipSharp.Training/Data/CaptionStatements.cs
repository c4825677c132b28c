using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClipSharp.Data;

/// <summary>
/// What a caption states beyond its subject's shape and colour, read from the optional <c>"mention"</c> record that
/// the built-in world writes beside each sentence's <c>"raw"</c> text (<c>{"objects": [{"shape", "colour", "size"?,
/// "pattern"?, "cell"?}, …], "background"?, "count"?, "relation"?}</c>). Retrieval can then be broken down by
/// statement ("captions that name the background" against "captions that do not"), and the oracle ceilings likewise.
/// </summary>
public static class CaptionStatements
{
    /// <summary>The statements, in report order: the subject's size, pattern and grid position, the background,
    /// the object count, a second object, a spatial relation.</summary>
    public static readonly IReadOnlyList<string> All = ["size", "pattern", "position", "background", "count", "second_object", "relation"];

    /// <summary>The flat result key of a metric over the captions that make <paramref name="statement"/>
    /// ("states_background/image_retrieval_recall@10") or omit it ("omits_background/…"); the evaluator's breakdown,
    /// the world's oracle.json and the CLI's table share it.</summary>
    public static string Key(string statement, bool stating, string metric) => $"{(stating ? "states_" : "omits_")}{statement}/{metric}";

    /// <summary>The statements of one mention record (a JSON object); a malformed record is an error naming the
    /// caption given in <paramref name="where"/>.</summary>
    public static IReadOnlySet<string> Of(JsonElement mention, string where)
    {
        if (mention.ValueKind != JsonValueKind.Object
            || !mention.TryGetProperty("objects", out var objects) || objects.ValueKind != JsonValueKind.Array || objects.GetArrayLength() == 0
            || objects[0].ValueKind != JsonValueKind.Object)
            throw new Core.ClipSharpException($"{where}: \"mention\" must be an object with a non-empty \"objects\" array of objects.");
        var subject = objects[0];
        var states = new HashSet<string>(StringComparer.Ordinal);
        void If(bool stated, string name) { if (stated) states.Add(name); }
        If(subject.TryGetProperty("size", out _), "size");
        If(subject.TryGetProperty("pattern", out _), "pattern");
        If(subject.TryGetProperty("cell", out _), "position");
        If(Stated(mention, "background"), "background");
        If(Stated(mention, "count"), "count");
        If(objects.GetArrayLength() > 1, "second_object");
        If(Stated(mention, "relation"), "relation");
        return states;
    }

    /// <summary>The statements of a mention held as a JSON node (the world's writers serialize theirs this way).</summary>
    public static IReadOnlySet<string> Of(JsonNode mention, string where)
    {
        using var doc = JsonDocument.Parse(mention.ToJsonString());
        return Of(doc.RootElement, where);
    }

    private static bool Stated(JsonElement e, string key) => e.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null;
}
