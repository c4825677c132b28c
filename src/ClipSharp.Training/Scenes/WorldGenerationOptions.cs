namespace ClipSharp.Scenes;

/// <summary>
/// What to generate: <paramref name="Train"/> training samples in shards of <paramref name="ShardSize"/>,
/// <paramref name="Eval"/> retrieval images with human captions, <paramref name="Bags"/> fine-grained bags, all at
/// <paramref name="ImageSize"/> pixels from <paramref name="Seed"/>; <paramref name="Threads"/> 0 = one per core.
/// The defaults are the quickstart's dataset.
/// </summary>
public sealed record WorldGenerationOptions(
    string OutputDir,
    int Train = 20_000,
    int Eval = 1_000,
    int Bags = 200,
    int ImageSize = 64,
    long Seed = 0,
    int Threads = 0,
    ImageFormat Format = ImageFormat.Jpeg,
    int ShardSize = 2_000)
{
    /// <summary>File extension of images ("jpg" or "png").</summary>
    public string Extension => Format == ImageFormat.Png ? "png" : "jpg";

    /// <summary>Throws naming the first invalid value.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(OutputDir)) throw new Core.ClipSharpException("The output directory must be given.");
        if (Train < 0 || Eval < 0 || Bags < 0) throw new Core.ClipSharpException($"Counts must be >= 0, not train {Train}, eval {Eval}, bags {Bags}.");
        if (ImageSize is < 8 or > 4096) throw new Core.ClipSharpException($"Image size must be in 8..4096 pixels, not {ImageSize}.");
        if (ShardSize < 1) throw new Core.ClipSharpException($"Shard size must be >= 1, not {ShardSize}.");
        if (Threads < 0) throw new Core.ClipSharpException($"Threads must be >= 0, not {Threads}.");
    }
}
