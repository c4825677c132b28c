using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClipSharp.Inference;

/// <summary>
/// <c>ann.json</c> beside the exact index: which graph file is current and what it covers. The graph is trusted only
/// when all of it matches: the exact index's generation (bumped by every compaction), a row count no larger than the
/// index's, a fingerprint of those rows (sampled paths and vector bytes), the graph file's length and XXH3 checksum,
/// and the build parameters; with a projection (<see cref="AnnProjection"/>) also its file's checksum. Written to a temporary file and renamed over the old one: the rename is the commit.
/// </summary>
internal sealed record AnnManifest(
    [property: JsonPropertyName("format")] int Format,
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("file_bytes")] long FileBytes,
    [property: JsonPropertyName("file_xxh3")] string FileXxh3,
    [property: JsonPropertyName("generation")] uint Generation,
    [property: JsonPropertyName("rows")] int Rows,
    [property: JsonPropertyName("fingerprint")] string Fingerprint,
    [property: JsonPropertyName("dim")] int Dim,
    [property: JsonPropertyName("scalar")] string Scalar,
    [property: JsonPropertyName("connectivity")] int Connectivity,
    [property: JsonPropertyName("projected_dim")] int ProjectedDim = 0,
    [property: JsonPropertyName("projection_file")] string? ProjectionFile = null,
    [property: JsonPropertyName("projection_xxh3")] string? ProjectionXxh3 = null)
{
    public const int CurrentFormat = 1;
    public const string FileName = "ann.json";
    private const int FingerprintSamples = 64;

    /// <summary>The manifest in <paramref name="directory"/>, or null with the reason it cannot be used.</summary>
    public static (AnnManifest? Manifest, string? Why) Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!System.IO.File.Exists(path)) return (null, "there is no approximate index yet");
        try
        {
            var m = JsonSerializer.Deserialize<AnnManifest>(System.IO.File.ReadAllText(path));
            if (m is null || m.Format != CurrentFormat || !IsPlainName(m.File) || (m.ProjectedDim > 0 && !IsPlainName(m.ProjectionFile)))
                return (null, $"{path} is not a format-{CurrentFormat} manifest");
            return (m, null);
        }
        catch (JsonException e) { return (null, $"{path} is unreadable ({e.Message})"); }
    }

    // a file name in the index folder (no separators)
    private static bool IsPlainName(string? file) => !string.IsNullOrEmpty(file) && !file.Contains('/') && !file.Contains('\\');

    /// <summary>Writes the manifest atomically (temporary file, flushed, renamed).</summary>
    public void Write(string directory)
    {
        var path = Path.Combine(directory, FileName);
        using (var fs = new FileStream(path + ".tmp", FileMode.Create, FileAccess.Write))
        {
            fs.Write(JsonSerializer.SerializeToUtf8Bytes(this, new JsonSerializerOptions { WriteIndented = true }));
            fs.Flush(flushToDisk: true);
        }
        System.IO.File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>XXH3 (64-bit, hex) of a whole file, streamed.</summary>
    public static string FileChecksum(string path)
    {
        var h = new XxHash3();
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        h.Append(fs);
        return Convert.ToHexString(h.GetCurrentHash());
    }

    /// <summary>
    /// XXH3 of up to 64 rows spread evenly over [0, rows) (always the first and the last): each row's number, path and
    /// vector bytes. Cheap at any size, and it changes when the covered rows are not the ones the graph was built from.
    /// </summary>
    public static unsafe string RowFingerprint(IReadOnlyList<IndexEntry> entries, float* vectors, int rows, int dim)
    {
        var h = new XxHash3();
        Span<byte> num = stackalloc byte[8];
        int samples = Math.Min(rows, FingerprintSamples);
        for (int s = 0; s < samples; s++)
        {
            long row = samples == 1 ? 0 : (long)s * (rows - 1) / (samples - 1);
            BinaryPrimitives.WriteInt64LittleEndian(num, row);
            h.Append(num);
            h.Append(Encoding.UTF8.GetBytes(entries[(int)row].Path));
            h.Append(MemoryMarshal.AsBytes(new ReadOnlySpan<float>(vectors + row * dim, dim)));
        }
        BinaryPrimitives.WriteInt64LittleEndian(num, rows);
        h.Append(num);
        return Convert.ToHexString(h.GetCurrentHash());
    }
}
