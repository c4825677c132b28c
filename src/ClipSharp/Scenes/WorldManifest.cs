namespace ClipSharp.Scenes;

/// <summary>
/// <c>manifest.json</c> at the dataset root: what was generated, from which seed and config, where the files are
/// (paths relative to the root) and how long it took.
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
    int Threads,
    double GenerationSeconds,
    double ImagesPerSecond)
{
    /// <summary>The value of <see cref="Format"/> this version writes.</summary>
    public const string CurrentFormat = "clipsharp-scenes/1";
}
