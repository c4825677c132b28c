using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClipSharp.Core;

namespace ClipSharp.Training.Recipes;

/// <summary>
/// Reads recipes: JSONC (comments, trailing commas), snake_case keys, strict (an unknown key or a wrongly typed value
/// is an error naming the file and the key), with <c>path=value</c> overrides applied before validation.
/// </summary>
public static class RecipeReader
{
    /// <summary>Serializer settings shared by reading and writing recipes.</summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
    };

    static readonly JsonDocumentOptions DocOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Finds a recipe by path or by name in configs/recipes (beside the working directory or the binaries).</summary>
    public static string Resolve(string nameOrPath)
    {
        if (File.Exists(nameOrPath)) return Path.GetFullPath(nameOrPath);
        var tried = new List<string>();
        foreach (var folder in RecipeFolders().Distinct())
        {
            foreach (var ext in new[] { ".jsonc", ".json" })
            {
                var p = Path.Combine(folder, nameOrPath + ext);
                if (File.Exists(p)) return p;
            }
            tried.Add(folder);
        }
        throw new ClipSharpException($"Recipe '{nameOrPath}' not found (looked for a file and for {nameOrPath}.jsonc in {string.Join(", ", tried)}).");
    }

    static IEnumerable<string> RecipeFolders()
    {
        yield return Path.Combine(Directory.GetCurrentDirectory(), "configs", "recipes");
        yield return Path.Combine(AppContext.BaseDirectory, "configs", "recipes");
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "ClipSharp.sln"))) { yield return Path.Combine(d.FullName, "configs", "recipes"); break; }
    }

    /// <summary>Reads a recipe file (name or path) and applies <paramref name="overrides"/> ("optim.lr=3e-4").</summary>
    public static Recipe Read(string nameOrPath, IEnumerable<string>? overrides = null)
    {
        var path = Resolve(nameOrPath);
        string text;
        try { text = File.ReadAllText(path); }
        catch (IOException e) { throw new ClipSharpException($"Cannot read recipe {path}: {e.Message}"); }
        return Parse(text, path, overrides);
    }

    /// <summary>Parses recipe text; <paramref name="source"/> names it in errors.</summary>
    public static Recipe Parse(string text, string source, IEnumerable<string>? overrides = null)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(text, documentOptions: DocOptions); }
        catch (JsonException e) { throw new ClipSharpException($"Recipe {source} is not valid JSON: {e.Message}"); }
        if (root is not JsonObject obj) throw new ClipSharpException($"Recipe {source} must be a JSON object.");
        var applied = (overrides ?? []).ToList();
        foreach (var o in applied) ApplyOverride(obj, o);
        try { return Deserialize(obj, source, applied); }
        catch (InvalidOperationException e) // a lone-surrogate escape ("\ud800") is valid JSON but no .NET string
        {
            throw new ClipSharpException($"Recipe {source} cannot be read ({e.Message}).", e);
        }
    }

    static Recipe Deserialize(JsonObject obj, string source, IReadOnlyList<string> applied)
    {
        try
        {
            return obj.Deserialize<Recipe>(Json) ?? throw new ClipSharpException($"Recipe {source} is empty.");
        }
        catch (JsonException e)
        {
            var unknown = e.Message.Contains("could not be mapped", StringComparison.Ordinal);
            var where = ErrorKey(e, unknown);
            // Blame the --set argument that wrote the key (or an object above it), else the file.
            var culprit = applied.LastOrDefault(o => OverridePath(o) is var p && (where == p || where.StartsWith(p + ".", StringComparison.Ordinal)));
            var blame = culprit is null ? $"Recipe {source}" : $"Override --set {culprit} (recipe {source})";
            throw new ClipSharpException(unknown
                ? $"{blame}: unknown key '{where}'."
                : $"{blame}: invalid value for '{where}' ({e.Message.Split(". Path:")[0]}).");
        }
    }

    // The dotted key an error is about. System.Text.Json's path already ends in the unmapped member for an unknown key
    // ("$.optim.lrr") on nested objects but not always at the root ("$"), so the member is appended only when missing.
    static string ErrorKey(JsonException e, bool unknown)
    {
        var key = (e.Path ?? "$").TrimStart('$').TrimStart('.');
        var member = unknown ? UnknownMember(e.Message) : null;
        if (member is null || key == member || key.EndsWith("." + member, StringComparison.Ordinal)) return key;
        return string.IsNullOrEmpty(key) ? member : $"{key}.{member}";
    }

    static string OverridePath(string assignment)
    {
        var eq = assignment.IndexOf('=');
        return eq <= 0 ? assignment : assignment[..eq].Trim();
    }

    static string? UnknownMember(string message)
    {
        // "The JSON property 'lrr' could not be mapped to any .NET member contained in type ..."
        var a = message.IndexOf('\'');
        var b = a < 0 ? -1 : message.IndexOf('\'', a + 1);
        return b > a ? message[(a + 1)..b] : null;
    }

    /// <summary>Sets <c>a.b.c=value</c> in the JSON tree; value is JSON when it parses as JSON, else a string.</summary>
    public static void ApplyOverride(JsonObject root, string assignment)
    {
        var eq = assignment.IndexOf('=');
        if (eq <= 0) throw new ClipSharpException($"Override '{assignment}' must look like path.to.key=value.");
        var path = assignment[..eq].Trim().Split('.');
        var raw = assignment[(eq + 1)..];
        JsonNode? value; // "null" clears an optional field
        try { value = raw.Trim() == "null" ? null : JsonNode.Parse(raw) ?? JsonValue.Create(raw)!; }
        catch (JsonException) { value = JsonValue.Create(raw)!; }

        JsonNode node = root;
        for (int i = 0; i < path.Length; i++)
        {
            var last = i == path.Length - 1;
            var seg = path[i];
            if (node is JsonArray arr)
            {
                if (!int.TryParse(seg, NumberStyles.None, CultureInfo.InvariantCulture, out var idx) || idx < 0 || idx >= arr.Count)
                    throw new ClipSharpException($"Override '{assignment}': '{seg}' is not an index of the list at '{string.Join('.', path[..i])}' ({arr.Count} items).");
                if (last) { arr[idx] = value; return; }
                node = arr[idx] ?? throw new ClipSharpException($"Override '{assignment}': item {idx} is null.");
            }
            else if (node is JsonObject o)
            {
                if (last) { o[seg] = value; return; }
                if (o[seg] is null) o[seg] = new JsonObject();
                node = o[seg]!;
            }
            else throw new ClipSharpException($"Override '{assignment}': '{string.Join('.', path[..i])}' is a value, not an object.");
        }
    }

    /// <summary>The recipe as JSON (what a run directory stores as recipe.json).</summary>
    public static string ToJson(Recipe recipe) => JsonSerializer.Serialize(recipe, Json);
}
