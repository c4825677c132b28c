using System.Globalization;
using System.Text;
using System.Text.Json;
using TorchSharp;

namespace ClipSharp.Training.Metrics;

/// <summary>
/// Per-step and per-eval scalars of a run: one JSON object per line in <c>metrics.jsonl</c> ({"step": s, "kind":
/// "train"|"eval"|"summary", name: value, ...}) and the same scalars as TensorBoard event files under <c>tensorboard/</c>.
/// A resumed run appends; lines of steps beyond the resume point (written after the checkpoint it resumes from) are
/// dropped first, so the file always describes one consistent history.
/// </summary>
public sealed class MetricsLog : IDisposable
{
    /// <summary>The JSONL file name inside the run directory.</summary>
    public const string FileName = "metrics.jsonl";

    private readonly StreamWriter _jsonl;
    private readonly TorchSharp.Modules.SummaryWriter? _tensorboard;

    /// <summary>Opens the log in <paramref name="runDirectory"/>; <paramref name="resumeStep"/> truncates later lines.</summary>
    public MetricsLog(string runDirectory, long? resumeStep, bool tensorboard = true)
    {
        var path = Path.Combine(runDirectory, FileName);
        if (resumeStep is { } s && File.Exists(path)) Truncate(path, s);
        else if (resumeStep is null && File.Exists(path)) File.Delete(path);
        _jsonl = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false)) { AutoFlush = true };
        if (tensorboard) _tensorboard = torch.utils.tensorboard.SummaryWriter(Path.Combine(runDirectory, "tensorboard"), "", createRunName: false);
    }

    /// <summary>Appends one record and mirrors its scalars to TensorBoard as "kind/name".</summary>
    public void Write(long step, string kind, IReadOnlyDictionary<string, double> values)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("step", step);
            w.WriteString("kind", kind);
            w.WriteString("time", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            foreach (var (k, v) in values)
            {
                if (double.IsFinite(v)) w.WriteNumber(k, v);
                else w.WriteString(k, v.ToString(CultureInfo.InvariantCulture)); // "NaN" / "Infinity" stay readable
            }
            w.WriteEndObject();
        }
        _jsonl.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
        if (_tensorboard is null) return;
        foreach (var (k, v) in values)
            if (double.IsFinite(v)) _tensorboard.add_scalar($"{kind}/{k}", (float)v, (int)Math.Min(step, int.MaxValue));
    }

    /// <summary>Reads every record of a metrics file (for reports and tests).</summary>
    public static IReadOnlyList<JsonElement> Read(string path) =>
        File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    private static void Truncate(string path, long resumeStep)
    {
        var keep = File.ReadLines(path).Where(l =>
        {
            if (l.Length == 0) return false;
            try { return JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt64() <= resumeStep; }
            catch (JsonException) { return false; } // a line cut by the kill that interrupted the previous run
        }).ToList();
        File.WriteAllLines(path, keep);
    }

    /// <summary>Flushes and closes both outputs.</summary>
    public void Dispose()
    {
        _jsonl.Dispose();
        (_tensorboard as IDisposable)?.Dispose();
    }
}
