using System.Diagnostics;
using ClipSharp.Checkpoints;
using ClipSharp.Tests.Support;
using ClipSharp.Training.Checkpointing;
using ClipSharp.Training.Metrics;
using Xunit.Abstractions;

namespace ClipSharp.Tests.Training;

/// <summary>
/// Kill-and-resume, for real: `clipsharp train` runs in a child process, is killed mid-run (and, once, dies in the
/// middle of writing a checkpoint), is resumed with --resume latest, and its final weights must equal those of an
/// uninterrupted run bit for bit (CPU).
/// </summary>
[Collection("TrainerProcesses")]
public class TrainerResumeTests(ITestOutputHelper output)
{
    private const long Steps = 8;

    private static (int Code, string Out, string Err) Cli(string recipe, string run, IDictionary<string, string>? env, Func<Process, bool>? killWhen, params string[] extra)
    {
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "ClipSharp.TestHost.dll"), "train", "--recipe", recipe, "--out", run, "--dist", "single" }.Concat(extra))
            psi.ArgumentList.Add(a);
        psi.Environment["COLUMNS"] = "200";
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        var deadline = Stopwatch.StartNew();
        while (!p.WaitForExit(100))
        {
            if (killWhen?.Invoke(p) == true) { p.Kill(entireProcessTree: true); p.WaitForExit(); break; }
            if (deadline.Elapsed > TimeSpan.FromMinutes(3)) { p.Kill(entireProcessTree: true); throw new TimeoutException("trainer process hung"); }
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private static long LastLoggedStep(string run)
    {
        var path = Path.Combine(run, MetricsLog.FileName);
        if (!File.Exists(path)) return 0;
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var r = new StreamReader(fs);
            return r.ReadToEnd().Split('\n').Count(l => l.Contains("\"kind\":\"train\"", StringComparison.Ordinal));
        }
        catch (IOException) { return 0; }
    }

    private static void AssertSameWeights(string expectedRun, string actualRun)
    {
        var ea = SafeTensorsFile.Load(Path.Combine(expectedRun, "model.safetensors"));
        var eb = SafeTensorsFile.Load(Path.Combine(actualRun, "model.safetensors"));
        Assert.Equal(ea.Keys.OrderBy(k => k), eb.Keys.OrderBy(k => k));
        foreach (var (k, t) in ea)
            Assert.True(t.equal(eb[k]).all().item<bool>(), $"{k}: weights differ after resume (max |diff| {(t - eb[k]).abs().max().to(TorchSharp.torch.ScalarType.Float64).item<double>()}; {t.to(TorchSharp.torch.ScalarType.Float64).flatten()[0].item<double>()} vs {eb[k].to(TorchSharp.torch.ScalarType.Float64).flatten()[0].item<double>()} first)");
    }

    [Theory]
    [InlineData("fp32")]
    [InlineData("amp_bf16")]
    [InlineData("fp32", true)]   // a ResNet image tower: BatchNorm running statistics are state a resume must restore
    public void KilledMidRunAndResumedEqualsUninterruptedBitForBit(string precision, bool resnet = false)
    {
        string[] set = ["--set", $"precision={precision}", .. resnet ? new[] { "--set", $"model={Path.Combine(TrainingWorld.Root, TrainingWorld.TinyResNetClips)}" } : []];
        var dir = TestPaths.NewTempDir("resume-" + precision + (resnet ? "-rn" : ""));
        var recipe = TrainingWorld.RecipeFile(dir, steps: Steps);
        var full = Path.Combine(dir, "full");
        var r0 = Cli(recipe, full, null, null, set);
        Assert.True(r0.Code == 0, r0.Err + r0.Out);

        var killed = Path.Combine(dir, "killed");
        // Kill once step 5 is logged: checkpoints exist for steps 2 and 4, step 5's update is lost. The run blocks after
        // step 5 (fault hook) so the kill lands there however fast the machine is; it is still a real SIGKILL.
        var pause = new Dictionary<string, string> { [ClipSharp.TestHost.EnvironmentFaults.Variable] = "pause-after-step:5" };
        var r1 = Cli(recipe, killed, pause, _ => LastLoggedStep(killed) >= 5, set);
        Assert.NotEqual(0, r1.Code);
        Assert.False(File.Exists(Path.Combine(killed, "model.safetensors")), "the killed run must not have finished");
        var latest = new CheckpointStore(killed, 3).Latest();
        Assert.NotNull(latest);
        output.WriteLine($"killed after step {LastLoggedStep(killed)}; resuming from {latest!.Directory}");
        var r2 = Cli(recipe, killed, null, null, [.. set, "--resume", "latest"]);
        Assert.True(r2.Code == 0, r2.Err + r2.Out);
        Assert.Contains("resum", r2.Out);
        AssertSameWeights(full, killed);
        // The metrics log describes one history: one train record per step.
        var steps = MetricsLog.Read(Path.Combine(killed, MetricsLog.FileName)).Where(e => e.GetProperty("kind").GetString() == "train")
            .Select(e => e.GetProperty("step").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(1, (int)Steps).Select(i => (long)i), steps);
    }

    [Fact]
    public void DeathWhileWritingACheckpointLeavesThePreviousOneAndResumesBitForBit()
    {
        var dir = TestPaths.NewTempDir("resume-ckpt");
        var recipe = TrainingWorld.RecipeFile(dir, steps: Steps);
        var full = Path.Combine(dir, "full");
        Assert.Equal(0, Cli(recipe, full, null, null).Code);

        var crashed = Path.Combine(dir, "crashed");
        var r1 = Cli(recipe, crashed, new Dictionary<string, string> { [ClipSharp.TestHost.EnvironmentFaults.Variable] = "checkpoint-write:6" }, null);
        Assert.NotEqual(0, r1.Code);
        var store = new CheckpointStore(crashed, 3);
        Assert.Equal(4, store.Latest()!.Step); // the half-written step-6 checkpoint is not a checkpoint
        Assert.NotEmpty(Directory.GetDirectories(store.Root, ".tmp-*"));
        var r2 = Cli(recipe, crashed, null, null, "--resume", "latest");
        Assert.True(r2.Code == 0, r2.Err + r2.Out);
        Assert.Empty(Directory.GetDirectories(store.Root, ".tmp-*"));
        AssertSameWeights(full, crashed);
    }
}

[CollectionDefinition("TrainerProcesses", DisableParallelization = true)]
public class TrainerProcessesCollection;
