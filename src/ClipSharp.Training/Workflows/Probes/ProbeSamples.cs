using System.Text.Json;
using ClipSharp.Core;
using ClipSharp.Data;
using ClipSharp.Data.Images;
using ClipSharp.Data.Pipeline;
using ClipSharp.Data.Sources;
using ClipSharp.Scenes;
using static TorchSharp.torch;

namespace ClipSharp.Workflows.Probes;

/// <summary>
/// The samples a probe uses: the first N training samples of a world (its shards in manifest order, read with the
/// loader's <see cref="TarSampleGroups"/>) whose scene parses and whose image decodes, with every attribute's label and
/// the image preprocessed by the model's eval transform. A bad sample (no image, invalid JSON, no or an invalid scene,
/// an image that does not decode, a damaged shard) is skipped and counted in <see cref="Bad"/>, the first of each
/// reason logged. Pixels: one CPU tensor of N × 3 × H × W floats (5000 samples at 64 px: 245 MB).
/// </summary>
public sealed class ProbeSamples : IDisposable
{
    /// <summary>The reason of a sample whose .json has no scene, or one that does not parse or fit the attributes.</summary>
    public const string InvalidScene = "invalid_scene";

    private const int DecodeChunk = 256;

    private ProbeSamples(IReadOnlyList<string> keys, int[][] labels, Tensor pixels, BadSampleReport bad)
    {
        Keys = keys;
        Labels = labels;
        Pixels = pixels;
        Bad = bad;
    }

    /// <summary>Sample keys, in reading order.</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>Labels: [sample][attribute], attributes in <see cref="ProbeAttribute.All"/>'s order.</summary>
    public int[][] Labels { get; }

    /// <summary>Preprocessed images (N, 3, H, W), float32 on the CPU.</summary>
    public Tensor Pixels { get; }

    /// <summary>The samples skipped on the way.</summary>
    public BadSampleReport Bad { get; }

    /// <summary>Number of usable samples.</summary>
    public int Count => Keys.Count;

    /// <summary>The labels of attribute <paramref name="attribute"/> (an index into <see cref="ProbeAttribute.All"/>).</summary>
    public long[] LabelsOf(int attribute) => Labels.Select(l => (long)l[attribute]).ToArray();

    /// <summary>
    /// Reads up to <paramref name="count"/> usable training samples of <paramref name="world"/>. A folder that is not a
    /// world, or a world none of whose samples can be used, is a <see cref="ClipSharpException"/> naming it.
    /// </summary>
    public static ProbeSamples Read(string world, int count, EvalTransform transform, Action<string>? log = null)
    {
        if (count <= 0) throw new ClipSharpException($"The number of samples must be positive, not {count}.");
        var manifest = WorldManifest.Read(world);
        var shards = manifest.TrainShards.Select(s => Path.Combine(world, s)).ToList();
        var bad = new BadSampleLog(log);
        var cfg = transform.Config;
        var pixels = empty([count, 3, cfg.Height, cfg.Width]);
        var keys = new List<string>();
        var labels = new List<int[]>();
        var pending = new List<RawSample>();
        foreach (var raw in RawSamples(shards, bad))
        {
            pending.Add(raw);
            if (pending.Count < Math.Min(DecodeChunk, count - keys.Count)) continue;
            DecodeInto(pending, transform, pixels, keys, labels, bad);
            pending.Clear();
            if (keys.Count == count) break;
        }
        if (pending.Count > 0) DecodeInto(pending, transform, pixels, keys, labels, bad);
        var report = bad.Snapshot();
        if (keys.Count == 0)
        {
            pixels.Dispose();
            throw new ClipSharpException($"{world}: none of its training samples could be used ({report.Summary()}).");
        }
        if (keys.Count < count) log?.Invoke($"{world}: {keys.Count} usable training samples (asked for {count}; {report.Summary()})");
        var used = keys.Count == count ? pixels : pixels.narrow(0, 0, keys.Count).clone();
        if (!ReferenceEquals(used, pixels)) pixels.Dispose();
        return new ProbeSamples(keys, labels.ToArray(), used, report);
    }

    /// <inheritdoc/>
    public void Dispose() => Pixels.Dispose();

    private sealed record RawSample(string Origin, string Key, byte[] Image, string Ext, int[] Labels);

    private static IEnumerable<RawSample> RawSamples(IEnumerable<string> shards, BadSampleLog bad)
    {
        foreach (var shard in shards)
            foreach (var g in TarSampleGroups.Read(shard))
            {
                RawSample? raw = null;
                if (g.Error is { } error) bad.Record(error);
                else
                {
                    try { raw = Parse(shard, g.Key!, g.Members!); }
                    catch (BadSampleException e) { bad.Record(e); }
                }
                if (raw is not null) yield return raw;
            }
    }

    private static RawSample Parse(string origin, string key, IReadOnlyDictionary<string, byte[]> members)
    {
        var ext = WebDatasetSource.ImageMember(origin, key, members);
        if (members[ext].Length == 0) throw new BadSampleException(BadSampleReasons.EmptyImage, origin, key, $"the {ext} image is 0 bytes");
        if (!members.TryGetValue("json", out var json)) throw new BadSampleException(InvalidScene, origin, key, "no .json member (the scene)");
        using var doc = CaptionFields.ParseJson(json, origin, key, $"{key}.json");
        if (!doc.RootElement.TryGetProperty("scene", out var scene) || scene.ValueKind != JsonValueKind.Object)
            throw new BadSampleException(InvalidScene, origin, key, $"{key}.json has no \"scene\" object");
        try
        {
            return new RawSample(origin, key, members[ext], ext, ProbeAttribute.Labels(SceneJson.Parse(scene.GetRawText(), $"{key}.json")));
        }
        catch (ClipSharpException e) when (e is not BadSampleException)
        {
            throw new BadSampleException(InvalidScene, origin, key, e.Message.TrimEnd('.'), e);
        }
    }

    // Decodes a chunk in parallel; the usable ones are copied, in order, into pixels[keys.Count...].
    private static void DecodeInto(List<RawSample> chunk, EvalTransform transform, Tensor pixels, List<string> keys, List<int[]> labels, BadSampleLog bad)
    {
        var cfg = transform.Config;
        var decoded = new float[]?[chunk.Count];
        var errors = new BadSampleException?[chunk.Count];
        Parallel.For(0, chunk.Count, i =>
        {
            try { decoded[i] = Decode(chunk[i], transform); }
            catch (BadSampleException e) { errors[i] = e; }
        });
        for (int i = 0; i < chunk.Count; i++)
        {
            if (errors[i] is { } e) { bad.Record(e); continue; }
            using var scope = NewDisposeScope();
            pixels[keys.Count].copy_(tensor(decoded[i]!, [3, cfg.Height, cfg.Width]));
            keys.Add(chunk[i].Key);
            labels.Add(chunk[i].Labels);
        }
    }

    private static float[] Decode(RawSample s, EvalTransform transform)
    {
        var cfg = transform.Config;
        var name = $"{s.Key}.{s.Ext}";
        try
        {
            using var img = transform.Decoder.Decode(s.Image, name, (cfg.Height, cfg.Width));
            var chw = new float[3 * cfg.Height * cfg.Width];
            transform.ApplyInto(img, chw);
            return chw;
        }
        catch (ClipSharpException e) { throw SampleProcessor.Classify(s.Origin, s.Key, e); }
        catch (NetVips.VipsException e)
        {
            throw new BadSampleException(BadSampleReasons.CorruptImage, s.Origin, s.Key, $"cannot decode {name} ({SampleProcessor.FirstLine(e)})", e);
        }
    }
}
