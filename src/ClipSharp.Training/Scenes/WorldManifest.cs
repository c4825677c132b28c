namespace ClipSharp.Scenes;

/// <summary>
/// <c>manifest.json</c> at the dataset root: what was generated, from which seed and config, where the files are
/// (paths relative to the root). A pure function of the seed and the options: no timings, thread counts or dates, so
/// that the same seed and options give byte-identical files (users checksum them).
/// </summary>
public sealed record WorldManifest(
    string Format,
    long Seed,
    int ImageSize,
    string ImageFormat,
    int Train,
    int Eval,
    int EvalCaptions,
    int Bags,
    int BagImages,
    int ShardSize,
    IReadOnlyList<string> TrainShards,
    string EvalFile,
    string BagsFile,
    string VocabFile,
    int VocabSize,
    WorldConfig Config,
    string? HeldOutEvalFile = null,
    string? OracleFile = null)
{
    /// <summary>The value of <see cref="Format"/> this version writes.</summary>
    public const string CurrentFormat = "clipsharp-scenes/2";

    /// <summary>The manifest's file name at the world's root.</summary>
    public const string FileName = "manifest.json";

    // The options it is written with (snake_case names, enums as snake_case strings), minus the strictness about
    // unknown members so a newer manifest still opens.
    private static readonly System.Text.Json.JsonSerializerOptions Json = new(SceneJson.Options) { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip };

    /// <summary>Reads WORLD/manifest.json; a missing or unreadable one is an error naming the path.</summary>
    public static WorldManifest Read(string worldDirectory)
    {
        var path = Path.Combine(worldDirectory, FileName);
        if (!File.Exists(path)) throw new Core.ClipSharpException($"{worldDirectory}: not a built-in world (no {FileName}; make one with `clipsharp scenes generate`).");
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<WorldManifest>(File.ReadAllText(path), Json)
                   ?? throw new Core.ClipSharpException($"{path}: empty world manifest.");
        }
        catch (System.Text.Json.JsonException e) { throw new Core.ClipSharpException($"{path}: not a world manifest ({e.Message}).", e); }
    }

    /// <summary>Reads the manifest when there is a readable one of <see cref="CurrentFormat"/>, else null.</summary>
    public static WorldManifest? TryRead(string worldDirectory)
    {
        try { return Read(worldDirectory) is { Format: CurrentFormat } m ? m : null; }
        catch (Core.ClipSharpException) { return null; }
    }
}
