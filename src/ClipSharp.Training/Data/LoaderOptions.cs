using ClipSharp.Core;
using ClipSharp.Data.Images;

namespace ClipSharp.Data;

/// <summary>
/// Settings of a <see cref="DataLoader"/>. Sample order and every per-sample random choice depend on
/// (<see cref="Seed"/>, epoch, sample key / stream position) only, never on <see cref="Workers"/>.
/// </summary>
public sealed record LoaderOptions
{
    /// <summary>The sources; with several, each draw picks a source with probability proportional to its weight.</summary>
    public required IReadOnlyList<DataSourceSpec> Sources { get; init; }

    /// <summary>Samples per batch.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Decode/transform/tokenize threads; 0 runs everything on the consuming thread.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>Samples kept in the shuffle buffer (1 or less: no sample shuffling).</summary>
    public int ShuffleBuffer { get; init; } = 1000;

    /// <summary>Shuffle the shard order each epoch.</summary>
    public bool ShuffleShards { get; init; } = true;

    /// <summary>The run seed.</summary>
    public ulong Seed { get; init; }

    /// <summary>Throw the first bad sample (a <see cref="BadSampleException"/>) instead of skipping and counting.</summary>
    public bool Strict { get; init; }

    /// <summary>Drop the last incomplete batch of each epoch (batches never span epochs).</summary>
    public bool DropLast { get; init; } = true;

    /// <summary>This process's rank.</summary>
    public int Rank { get; init; }

    /// <summary>Number of ranks.</summary>
    public int WorldSize { get; init; } = 1;

    /// <summary>Output size, interpolation, mean/std.</summary>
    public required PreprocessConfig Preprocess { get; init; }

    /// <summary>Training augmentation; null = the eval transform (resize + centre crop).</summary>
    public TrainAugmentConfig? Augment { get; init; }

    /// <summary>The token rows to produce.</summary>
    public required CaptionViewOptions Captions { get; init; }

    /// <summary>Decoder settings (max pixels, EXIF orientation); default: shrink-on-load on.</summary>
    public ImageDecoderOptions Decoder { get; init; } = new(ShrinkOnLoad: true);

    /// <summary>Prefetch depth in batches: samples decoded ahead of the consumer = this x batch size (at least 2 per worker).</summary>
    public int PrefetchBatches { get; init; } = 2;

    /// <summary>Receives one line for the first bad sample of each reason (and other notices); null = silent.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Throws a <see cref="ClipSharpException"/> naming the first unusable value.</summary>
    public void Validate()
    {
        if (Sources is null || Sources.Count == 0) throw new ClipSharpException("The data loader needs at least one data source.");
        foreach (var s in Sources) s.Validate();
        if (BatchSize < 1) throw new ClipSharpException($"Batch size must be >= 1, not {BatchSize}.");
        if (Workers < 0) throw new ClipSharpException($"Workers must be >= 0, not {Workers}.");
        if (WorldSize < 1 || Rank < 0 || Rank >= WorldSize) throw new ClipSharpException($"Rank {Rank} is not in 0..{WorldSize - 1} (world size {WorldSize}).");
        if (PrefetchBatches < 1) throw new ClipSharpException($"Prefetch batches must be >= 1, not {PrefetchBatches}.");
        Captions.Validate();
    }
}
