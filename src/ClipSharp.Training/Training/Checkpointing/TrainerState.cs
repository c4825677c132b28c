using System.Text.Json;
using ClipSharp.Data;

namespace ClipSharp.Training.Checkpointing;

/// <summary>
/// Everything besides weights and optimizer moments that a resumed run needs to continue exactly: the next step,
/// the data position after the last consumed batch, counters, and the torch CPU generator state (base64).
/// </summary>
public sealed record TrainerState
{
    /// <summary>Number of optimizer steps done (the next step's 0-based index).</summary>
    public long Step { get; init; }
    public LoaderPosition? Data { get; init; }
    /// <summary>Every rank's data position (rank order) in a multi-rank run; null for one process.</summary>
    public IReadOnlyList<LoaderPosition>? RankData { get; init; }
    public long SamplesSeen { get; init; }
    public long NonFiniteSkipped { get; init; }
    public string? TorchRng { get; init; }
    /// <summary>Training seconds so far (for throughput and ETA across restarts).</summary>
    public double Seconds { get; init; }
    /// <summary>amp_fp16 only: the loss scaler's scale, finite steps since it changed, and overflow-skipped steps.</summary>
    public double? LossScale { get; init; }
    public int LossScaleGoodSteps { get; init; }
    public long LossScaleSkipped { get; init; }

    static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public static TrainerState FromJson(string json, string source) =>
        JsonSerializer.Deserialize<TrainerState>(json, Options)
        ?? throw new Core.ClipSharpException($"Trainer state {source} is empty.");
}
