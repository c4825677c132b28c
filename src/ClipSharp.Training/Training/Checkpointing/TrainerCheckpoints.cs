using ClipSharp.Checkpoints;
using ClipSharp.Modeling;
using ClipSharp.Training.Optim;
using ClipSharp.Training.Runs;
using static TorchSharp.torch;

namespace ClipSharp.Training.Checkpointing;

/// <summary>What the trainer writes into and restores from a checkpoint: weights, AdamW moments, the loop state and the RNG.</summary>
public static class TrainerCheckpoints
{
    /// <summary>Writes weights, moments and <paramref name="state"/> through <paramref name="store"/>.</summary>
    public static CheckpointRef Write(CheckpointStore store, ContrastiveModel model, optim.Optimizer optimizer, TrainerState state, ITrainingFaults? faults = null)
    {
        var weights = RunDirectory.StateDict(model);
        var moments = OptimizerState.Capture(optimizer, model);
        try
        {
            return store.Write(state.Step, weights, moments, state, betweenFiles: faults is null ? null : () => faults.BetweenCheckpointFiles(state.Step));
        }
        finally
        {
            foreach (var t in weights.Values) t.Dispose();
            foreach (var t in moments.Values) t.Dispose();
        }
    }

    /// <summary>Loads weights and moments (strictly, by name), the RNG state, and returns the loop state.</summary>
    public static TrainerState Restore(CheckpointRef from, ContrastiveModel model, optim.Optimizer optimizer)
    {
        var weights = SafeTensorsFile.Load(from.ModelPath);
        StateDictLoader.Load(model, weights, strict: true, source: from.ModelPath);
        foreach (var t in weights.Values) t.Dispose();
        var moments = SafeTensorsFile.Load(from.OptimizerPath);
        OptimizerState.Restore(optimizer, model, moments, from.OptimizerPath);
        foreach (var t in moments.Values) t.Dispose();
        var state = TrainerState.FromJson(File.ReadAllText(from.StatePath), from.StatePath);
        if (state.TorchRng is { } rng)
        {
            var bytes = Convert.FromBase64String(rng);
            using var t = TorchSharp.torch.tensor(bytes, dtype: ScalarType.Byte);
            TorchSharp.torch.random.set_rng_state(t);
        }
        return state;
    }
}
