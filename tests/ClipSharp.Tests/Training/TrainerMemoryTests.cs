using System.Text.Json.Nodes;
using ClipSharp.Checkpoints;
using ClipSharp.Core;
using ClipSharp.Modeling.Layers;
using ClipSharp.Tests.Support;
using ClipSharp.Training;
using ClipSharp.Training.Recipes;
using Xunit.Abstractions;

namespace ClipSharp.Tests.Training;

/// <summary>
/// The memory savers from the recipe: <c>grad_checkpointing</c> trains the same weights as the plain path, and
/// <c>force_patch_dropout</c> changes training, is drawn from (seed, step, rank, micro-batch) so a run stopped and
/// resumed equals an uninterrupted one bit for bit (also with gradient accumulation).
/// </summary>
[Collection("TrainerProcesses")]
public class TrainerMemoryTests(ITestOutputHelper output)
{
    private static TrainResult Train(string run, long steps, Action<JsonObject>? edit = null, long? stopAt = null, string? resume = null) =>
        Trainer.Run(new TrainOptions { Recipe = TrainingWorld.Recipe("clips", steps, 16, edit), RunDirectory = run, StopAtStep = stopAt, Resume = resume });

    private static double MaxDiff(string runA, string runB)
    {
        var a = SafeTensorsFile.Load(Path.Combine(runA, "model.safetensors"));
        var b = SafeTensorsFile.Load(Path.Combine(runB, "model.safetensors"));
        Assert.Equal(a.Keys.OrderBy(k => k), b.Keys.OrderBy(k => k));
        return a.Max(kv => (double)(kv.Value - b[kv.Key]).abs().max().item<float>());
    }

    [Fact]
    public void The_recipe_keys_parse()
    {
        var r = RecipeReader.Parse("{\"grad_checkpointing\": true, \"force_patch_dropout\": 0.5}", "test");
        Assert.True(r.GradCheckpointing);
        Assert.Equal(0.5, r.ForcePatchDropout);
        var d = RecipeReader.Parse("{}", "test");
        Assert.False(d.GradCheckpointing);
        Assert.Null(d.ForcePatchDropout);
    }

    [Fact]
    public void Grad_checkpointing_trains_the_same_weights()
    {
        var dir = TestPaths.NewTempDir("ckpt");
        void Accum(JsonObject r) => r["accum_steps"] = 2;
        long before = GradCheckpoint.RecomputationsOnThisThread;
        Train(Path.Combine(dir, "plain"), 2, Accum);
        Assert.Equal(before, GradCheckpoint.RecomputationsOnThisThread);
        Train(Path.Combine(dir, "ckpt"), 2, r => { Accum(r); r["grad_checkpointing"] = true; });
        // 2 steps x 2 micro-batches x (vision 1 + text 1 + captioner 1 blocks) recomputed in the backward
        Assert.Equal(before + 12, GradCheckpoint.RecomputationsOnThisThread);
        double diff = MaxDiff(Path.Combine(dir, "plain"), Path.Combine(dir, "ckpt"));
        output.WriteLine($"grad_checkpointing vs plain, 2 steps with accum_steps 2: max |weight diff| {diff:G3}");
        Assert.True(diff <= 1e-6, $"grad_checkpointing changed the trained weights by {diff:G3}");
    }

    [Fact]
    public void Patch_dropout_changes_training_and_resumes_bit_for_bit()
    {
        var dir = TestPaths.NewTempDir("patchdrop");
        void Drop(JsonObject r) { r["force_patch_dropout"] = 0.5; r["accum_steps"] = 2; }
        var (full, resumed, none) = (Path.Combine(dir, "full"), Path.Combine(dir, "resumed"), Path.Combine(dir, "none"));
        Train(full, 4, Drop);
        Assert.False(Train(resumed, 4, Drop, stopAt: 2).Completed);
        Assert.True(Train(resumed, 4, Drop, resume: "latest").Completed);
        Assert.Equal(0.0, MaxDiff(full, resumed));
        Train(none, 4, r => r["accum_steps"] = 2);
        double changed = MaxDiff(full, none);
        output.WriteLine($"patch dropout 0.5 vs none after 4 steps: max |weight diff| {changed:G3}");
        Assert.True(changed > 1e-5, "patch dropout 0.5 should train differently from no dropout");
        Assert.Throws<ClipSharpException>(() => Train(Path.Combine(dir, "bad"), 1, r => r["force_patch_dropout"] = 1.0));
    }
}
