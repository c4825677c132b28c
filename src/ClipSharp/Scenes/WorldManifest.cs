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
    WorldConfig Config)
{
    /// <summary>The value of <see cref="Format"/> this version writes.</summary>
    public const string CurrentFormat = "clipsharp-scenes/1";
}
