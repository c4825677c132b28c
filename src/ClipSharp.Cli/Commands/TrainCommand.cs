using System.CommandLine;
using ClipSharp.Cli.Training;
using ClipSharp.Distributed;
using ClipSharp.Training;
using ClipSharp.Training.Recipes;

namespace ClipSharp.Cli.Commands;

/// <summary>`clipsharp train --recipe R [--set k=v]... [--resume latest|PATH] [--out DIR]`.</summary>
public static class TrainCommand
{
    public static Command Create(ITrainingFaults? faults = null)
    {
        var recipe = new Option<string>("--recipe") { Description = "Recipe name (configs/recipes) or .jsonc path.", Required = true };
        var set = new Option<string[]>("--set") { Description = "Override a recipe field: --set optim.lr=3e-4 (repeatable; lists by index: evals.0.every_steps=100).", AllowMultipleArgumentsPerToken = false };
        var resume = new Option<string?>("--resume") { Description = "Continue exactly from 'latest' (in the run folder), a checkpoint folder or a run folder." };
        var output = new Option<string?>("--out") { Description = "Run folder (default: recipe output_dir, else runs/NAME)." };
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var backend = new Option<string>("--dist") { Description = "Collectives: auto (MPI when launched by mpirun/srun), single, mpi, nccl.", DefaultValueFactory = _ => "auto" };
        var cmd = new Command("train", "Train a model from a recipe (CLIP, CLIPS, CoCa, SigLIP); resumable; writes a run folder usable by the inference API.");
        foreach (var o in new Option[] { recipe, set, resume, output, device, threads, backend }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            var overrides = (r.GetValue(set) ?? []).ToList();
            if (r.GetResult(device) is { Implicit: false }) overrides.Add($"device={r.GetValue(device)}");
            if (r.GetValue(threads) > 0) overrides.Add($"threads={r.GetValue(threads)}");
            var rec = RecipeReader.Read(r.GetValue(recipe)!, overrides);
            using var dist = Collectives.FromEnvironment(r.GetValue(backend)!);
            try
            {
                var result = Trainer.Run(new TrainOptions
                {
                    Recipe = rec, RunDirectory = r.GetValue(output), Resume = r.GetValue(resume),
                    Observer = new ConsoleTrainingObserver(rec.Name), Collectives = dist, Faults = faults,
                });
                if (dist.IsMain) RunSummary.Print(result);
                return 0;
            }
            catch (Exception e) when (dist.WorldSize > 1)
            {
                return CliApp.FailRank(dist, e);
            }
        });
        return cmd;
    }
}
