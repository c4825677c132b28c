using ClipSharp.Modeling;
using ClipSharp.Text;
using TorchSharp;

namespace ClipSharp.Training;

/// <summary>
/// The randomness of the model's training-only layers (patch dropout), under the loader's contract: every draw is a
/// pure function of (seed, step, rank, micro-batch). The model draws from one generator that the trainer reseeds
/// before every forward, so a resumed run draws what an uninterrupted one drew (no generator state to checkpoint),
/// ranks draw different subsets, and with gradient accumulation the cached (no-grad) forward and the live forward of a
/// micro-batch draw the same ones.
/// </summary>
public sealed class StepRandomness : IDisposable
{
    private const ulong Salt = 0x3C6E_F372_FE94_F82BUL;
    private readonly torch.Generator _generator = new(0);
    private readonly ContrastiveModel _model;
    private readonly ulong _seed;
    private readonly int _rank;

    /// <summary>Attaches the generator to <paramref name="model"/>'s random layers.</summary>
    public StepRandomness(ContrastiveModel model, ulong seed, int rank)
    {
        (_model, _seed, _rank) = (model, seed, rank);
        model.SetTrainingRandomness(_generator);
    }

    /// <summary>The generator's seed for (step, micro-batch) on this rank.</summary>
    public long SeedFor(long step, int micro) =>
        (long)(ReductionRandom.For(_seed ^ Salt, step, $"train-random/{_rank}/{micro}").NextUInt64() & long.MaxValue);

    /// <summary>Reseeds before the forward of micro-batch <paramref name="micro"/> of step <paramref name="step"/> (0-based).</summary>
    public void Reseed(long step, int micro) => _generator.manual_seed(SeedFor(step, micro));

    /// <summary>Detaches the generator from the model and frees it.</summary>
    public void Dispose()
    {
        _model.SetTrainingRandomness(null);
        _generator.Dispose();
    }
}
