using System.Text.Json;
using ClipSharp.Core;

namespace ClipSharp.Bench;

/// <summary>
/// The PyTorch/OpenCLIP reference measured back to back on this machine (../shared/peer: bench.py writes the fp32
/// figures, bench_bf16.py the fp32 and amp_bf16 ones): <c>--reference ref_fp32.json,ref_bf16.json</c>. Each of our
/// rows is compared with the reference's best precision for the same workload (the fastest a PyTorch user gets here).
/// </summary>
public sealed class PeerReference
{
    private readonly Dictionary<string, Dictionary<string, double>> _byWorkload = new();

    /// <summary>Files in either of the peer scripts' formats; a missing or malformed file is an error naming it.</summary>
    public static PeerReference Load(IEnumerable<string> files)
    {
        var p = new PeerReference();
        foreach (var f in files)
        {
            if (!File.Exists(f)) throw new ClipSharpException($"--reference {f}: no such file (run ../shared/peer's bench scripts first).");
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(f));
                p.Read(doc.RootElement);
            }
            catch (JsonException e) { throw new ClipSharpException($"--reference {f}: not a peer bench JSON ({e.Message})."); }
        }
        return p;
    }

    private void Read(JsonElement root)
    {
        if (root.TryGetProperty("rows", out var rows))                                   // bench_bf16.py
            foreach (var r in rows.EnumerateArray())
            {
                string name = r.GetProperty("name").GetString()!;
                double v = r.TryGetProperty("gflops", out var g) ? g.GetDouble() : r.GetProperty("per_s").GetDouble();
                var parts = name.Split(' ');
                string precision = parts[^1] == "bfloat16" ? "amp_bf16" : parts[^1] == "float32" ? "fp32" : parts[^1];
                Add(Workload(name), precision, v);
            }
        foreach (var section in new[] { "train", "inference" })                            // bench.py (fp32)
            if (root.TryGetProperty(section, out var list))
                foreach (var r in list.EnumerateArray())
                    Add(Workload(r.GetProperty("name").GetString()!, r.GetProperty("batch").GetInt32()), "fp32", r.GetProperty("samples_per_s").GetDouble());
    }

    // The reference's row names → our workload names (without our precision suffix).
    private static string? Workload(string name, int batch = 0) => name switch
    {
        _ when name.StartsWith("mm 3072", StringComparison.Ordinal) => "matmul-ceiling",
        _ when name.StartsWith("train ViT-B-32 b32", StringComparison.Ordinal) => "train-vitb32-b32",
        _ when name.StartsWith("encode_image ViT-B-32", StringComparison.Ordinal) => "encode-image-vitb32-b32",
        _ when name.StartsWith("encode_text ViT-B-32", StringComparison.Ordinal) => "encode-text-vitb32-b128",
        "train step ViT-B-32 @224" => $"train-vitb32-b{batch}",
        "train step bench_small @64" => "train-small-b128",
        _ => null,
    };

    private void Add(string? workload, string precision, double value)
    {
        if (workload is null) return;
        if (!_byWorkload.TryGetValue(workload, out var d)) _byWorkload[workload] = d = new();
        d[precision] = Math.Max(d.GetValueOrDefault(precision), value);   // two files may both have fp32: keep the faster
    }

    /// <summary>The reference's figures for our row (its precision suffix dropped), or null.</summary>
    public IReadOnlyDictionary<string, double>? For(string row)
    {
        string w = row;
        foreach (var suffix in new[] { "-bf16-attn16", "-bf16", "-ckpt", "-pd50" })
            if (w.EndsWith(suffix, StringComparison.Ordinal)) w = w[..^suffix.Length];
        if (row.StartsWith("matmul-ceiling", StringComparison.Ordinal)) return null;   // a ceiling, not a workload
        return _byWorkload.GetValueOrDefault(w);
    }
}
