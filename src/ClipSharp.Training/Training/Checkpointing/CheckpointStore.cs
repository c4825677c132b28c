using System.Globalization;
using ClipSharp.Checkpoints;
using ClipSharp.Core;
using static TorchSharp.torch;

namespace ClipSharp.Training.Checkpointing;

/// <summary>A checkpoint on disk: its folder and step.</summary>
public sealed record CheckpointRef(string Directory, long Step)
{
    public string ModelPath => Path.Combine(Directory, CheckpointStore.ModelFile);
    public string OptimizerPath => Path.Combine(Directory, CheckpointStore.OptimizerFile);
    public string StatePath => Path.Combine(Directory, CheckpointStore.StateFile);
}

/// <summary>
/// RUN/checkpoints/step-NNNNNNNN/{model.safetensors (OpenCLIP key names), optimizer.safetensors, state.json}.
/// Writes are atomic: everything goes into a temporary sibling folder which is renamed into place only once complete
/// (state.json last), so a process killed mid-write leaves the previous checkpoints intact and at worst a stale
/// temporary folder that the next write removes. Keeps the last K.
/// </summary>
public sealed class CheckpointStore(string runDirectory, int keepLast)
{
    public const string ModelFile = "model.safetensors";
    public const string OptimizerFile = "optimizer.safetensors";
    public const string StateFile = "state.json";

    public string Root { get; } = Path.Combine(runDirectory, "checkpoints");

    static string DirName(long step) => $"step-{step.ToString("D8", CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Writes one checkpoint atomically and prunes old ones; returns it. <paramref name="betweenFiles"/> runs after the
    /// model file (the tests' fault seam: a crash there must leave the previous checkpoint as the latest).
    /// </summary>
    public CheckpointRef Write(long step, IReadOnlyDictionary<string, Tensor> model, IReadOnlyDictionary<string, Tensor> optimizer,
        TrainerState state, IReadOnlyDictionary<string, string>? metadata = null, Action? betweenFiles = null)
    {
        System.IO.Directory.CreateDirectory(Root);
        foreach (var stale in System.IO.Directory.GetDirectories(Root, ".tmp-*")) TryDelete(stale);
        var final = Path.Combine(Root, DirName(step));
        var tmp = Path.Combine(Root, $".tmp-{DirName(step)}-{Environment.ProcessId}");
        System.IO.Directory.CreateDirectory(tmp);
        SafeTensorsWriter.Save(Path.Combine(tmp, ModelFile), model, metadata);
        betweenFiles?.Invoke();
        SafeTensorsWriter.Save(Path.Combine(tmp, OptimizerFile), optimizer);
        WriteFileDurably(Path.Combine(tmp, StateFile), state.ToJson());
        if (System.IO.Directory.Exists(final)) TryDelete(final);
        System.IO.Directory.Move(tmp, final);
        Prune();
        return new CheckpointRef(final, step);
    }

    /// <summary>Complete checkpoints (those with state.json), oldest first.</summary>
    public IReadOnlyList<CheckpointRef> List()
    {
        if (!System.IO.Directory.Exists(Root)) return [];
        var list = new List<CheckpointRef>();
        foreach (var d in System.IO.Directory.GetDirectories(Root, "step-*"))
        {
            var name = Path.GetFileName(d);
            if (long.TryParse(name.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var step)
                && File.Exists(Path.Combine(d, StateFile)) && File.Exists(Path.Combine(d, ModelFile)) && File.Exists(Path.Combine(d, OptimizerFile)))
                list.Add(new CheckpointRef(d, step));
        }
        return list.OrderBy(c => c.Step).ToList();
    }

    /// <summary>The newest complete checkpoint, or null.</summary>
    public CheckpointRef? Latest() => List() is { Count: > 0 } l ? l[^1] : null;

    /// <summary>Resolves --resume: "latest" (null if none), a checkpoint folder, or a run folder (its latest).</summary>
    public static CheckpointRef? Resolve(string resume, string runDirectory)
    {
        if (resume == "latest") return new CheckpointStore(runDirectory, 1).Latest();
        if (File.Exists(Path.Combine(resume, StateFile)))
        {
            var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(resume));
            var step = TrainerState.FromJson(File.ReadAllText(Path.Combine(resume, StateFile)), resume).Step;
            return new CheckpointRef(Path.GetFullPath(resume), name.StartsWith("step-", StringComparison.Ordinal) ? step : step);
        }
        if (System.IO.Directory.Exists(Path.Combine(resume, "checkpoints")))
            return new CheckpointStore(resume, 1).Latest() ?? throw new ClipSharpException($"Run folder {resume} has no complete checkpoint to resume from.");
        throw new ClipSharpException($"Cannot resume from '{resume}': not 'latest', a checkpoint folder (with {StateFile}) or a run folder.");
    }

    void Prune()
    {
        var all = List();
        for (int i = 0; i < all.Count - Math.Max(1, keepLast); i++) TryDelete(all[i].Directory);
    }

    static void TryDelete(string dir)
    {
        try { System.IO.Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Writes text and flushes it to disk before returning.</summary>
    public static void WriteFileDurably(string path, string text)
    {
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        using (var w = new StreamWriter(fs, leaveOpen: true)) w.Write(text);
        fs.Flush(flushToDisk: true);
    }
}
