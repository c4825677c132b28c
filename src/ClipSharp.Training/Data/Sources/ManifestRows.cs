using System.Globalization;

namespace ClipSharp.Data.Sources;

/// <summary>
/// Turns manifest rows (field name to string value) into <see cref="SourceRecord"/>s: the key is the key column
/// (else the image path, else "row N"), the image path is resolved against the image root, and the image file is
/// read in the decode worker. No or an empty image value is missing_image; a path that does not exist, is a
/// directory or cannot be read is unreadable_file.
/// </summary>
public sealed class ManifestRows
{
    private readonly DataSourceSpec _spec;

    /// <summary>The folder relative image paths are resolved against.</summary>
    public string ImageRoot { get; }

    /// <summary>Uses <see cref="DataSourceSpec.ImageRoot"/>, else the manifest's folder.</summary>
    public ManifestRows(DataSourceSpec spec)
    {
        _spec = spec;
        ImageRoot = Path.GetFullPath(spec.ImageRoot ?? Path.GetDirectoryName(Path.GetFullPath(spec.Path)) ?? ".");
    }

    /// <summary>
    /// The record of data row <paramref name="row"/> (0-based) of <paramref name="origin"/>; <paramref name="columns"/>
    /// (optional) names every column of the row, so the others reach <see cref="Sample.OtherFields"/>.
    /// </summary>
    public SourceRecord Record(string origin, long row, Func<string, string?> field, byte[]? embeddedImage = null,
        IEnumerable<string>? columns = null)
    {
        var image = field(_spec.ImageField);
        var key = (_spec.KeyField is { } kf ? field(kf) : null) is { Length: > 0 } k ? k
            : image is { Length: > 0 } ? image
            : RowKey(row);
        var web = field(_spec.WebField);
        var synthetic = field(_spec.SyntheticField);
        var others = columns is null ? null : OtherFields(columns, field);
        return new SourceRecord(key, origin, () => Load(origin, row, key, image, embeddedImage, web, synthetic) with { OtherFields = others });
    }

    private Dictionary<string, string>? OtherFields(IEnumerable<string> columns, Func<string, string?> field)
    {
        Dictionary<string, string>? result = null;
        foreach (var c in columns)
        {
            if (c == _spec.ImageField || c == _spec.KeyField || c == _spec.WebField || c == _spec.SyntheticField) continue;
            if (field(c) is { } v) (result ??= new(StringComparer.Ordinal))[c] = v;
        }
        return result;
    }

    /// <summary>"row N" (0-based data row), the key of rows that have none.</summary>
    public static string RowKey(long row) => "row " + row.ToString(CultureInfo.InvariantCulture);

    private Sample Load(string origin, long row, string key, string? image, byte[]? embedded, string? web, string? synthetic)
    {
        if (embedded is not null) return new Sample(key, origin, embedded, SniffExtension(embedded), web, synthetic);
        if (string.IsNullOrWhiteSpace(image))
            throw new BadSampleException(BadSampleReasons.MissingImage, origin, key, $"{RowKey(row)} has no value in the image column \"{_spec.ImageField}\"");
        var path = Path.Combine(ImageRoot, image);
        var ext = Path.GetExtension(path).TrimStart('.').ToLowerInvariant();
        return new Sample(key, origin, ReadImageFile(path, origin, key), ext, web, synthetic);
    }

    /// <summary>Reads an image file; throws unreadable_file naming the path when it is missing, a directory or unreadable.</summary>
    public static byte[] ReadImageFile(string path, string origin, string key)
    {
        if (Directory.Exists(path))
            throw new BadSampleException(BadSampleReasons.UnreadableFile, origin, key, $"the image path {path} is a directory");
        try { return File.ReadAllBytes(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BadSampleException(BadSampleReasons.UnreadableFile, origin, key, $"the image file {path} does not exist", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BadSampleException(BadSampleReasons.UnreadableFile, origin, key, $"cannot read the image file {path} ({e.Message})", e);
        }
    }

    /// <summary>"jpg", "png", "webp", "gif" from the magic bytes, else "bin" (libvips sniffs the format anyway).</summary>
    public static string SniffExtension(ReadOnlySpan<byte> b) =>
        b.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8]) ? "jpg"
        : b.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G']) ? "png"
        : b.Length >= 12 && b.StartsWith("RIFF"u8) && b[8..12].SequenceEqual("WEBP"u8) ? "webp"
        : b.StartsWith("GIF8"u8) ? "gif"
        : "bin";
}
