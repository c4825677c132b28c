using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ClipSharp.Core;

namespace ClipSharp.Scenes;

/// <summary>
/// Scene ⇄ JSON. Keys and enum values are snake_case (<c>{"background": {"kind": "gradient", "colour": "pale_blue",
/// ...}, "objects": [{"shape": "star", "colour": "red", "size": "large", "pattern": "striped", "row": 0, "col": 2,
/// "dx": 0.03, "dy": -0.01, "rotation": 12.5}], "noise": {"seed": 7, "brightness": 0.01, "contrast": 1.02,
/// "noise_std": 0.015}}</c>); unknown keys are an error. Doubles round-trip exactly, so a parsed scene renders the same
/// pixels as the original.
/// </summary>
public static class SceneJson
{
    /// <summary>The serializer options used for scenes (and the other JSON files of the world).</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Compact (or indented) JSON text of a scene.</summary>
    public static string ToJson(Scene scene, bool indented = false) =>
        JsonSerializer.Serialize(scene, indented ? new JsonSerializerOptions(Options) { WriteIndented = true } : Options);

    /// <summary>The scene as a JSON node, for embedding in other documents.</summary>
    public static JsonNode ToNode(Scene scene) => JsonSerializer.SerializeToNode(scene, Options)!;

    /// <summary>Parses and validates a scene; <paramref name="source"/> names the file or sample in errors.</summary>
    public static Scene Parse(string json, string source = "scene JSON")
    {
        Scene? scene;
        try
        {
            scene = JsonSerializer.Deserialize<Scene>(json, Options);
        }
        catch (JsonException e)
        {
            throw new ClipSharpException($"{source} is not a valid scene: {e.Message}", e);
        }
        if (scene is null) throw new ClipSharpException($"{source} holds null instead of a scene object.");
        Validate(scene, source);
        return scene;
    }

    /// <summary>Reads a scene from a JSON file.</summary>
    public static Scene Load(string path)
    {
        if (!File.Exists(path)) throw new ClipSharpException($"Scene file '{path}' does not exist.");
        return Parse(File.ReadAllText(path), $"Scene file '{path}'");
    }

    /// <summary>Throws naming the first problem: missing parts or an object off the 3×3 grid.</summary>
    public static void Validate(Scene scene, string source = "scene")
    {
        if (scene.Background is null) throw new ClipSharpException($"{source} has no \"background\".");
        if (scene.Objects is null) throw new ClipSharpException($"{source} has no \"objects\" list.");
        for (var i = 0; i < scene.Objects.Count; i++)
        {
            var o = scene.Objects[i];
            if (o is null) throw new ClipSharpException($"{source}: objects[{i}] is null.");
            if (o.Row is < 0 or > 2 || o.Col is < 0 or > 2)
                throw new ClipSharpException($"{source}: objects[{i}] has row {o.Row}, col {o.Col}; both must be 0, 1 or 2.");
            if (Math.Abs(o.Dx) > 0.5 || Math.Abs(o.Dy) > 0.5 || !double.IsFinite(o.Rotation))
                throw new ClipSharpException($"{source}: objects[{i}] has dx/dy outside [-0.5, 0.5] or a non-finite rotation.");
        }
    }
}
