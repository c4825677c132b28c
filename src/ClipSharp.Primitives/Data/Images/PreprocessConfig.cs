using System.Globalization;
using System.Text;
using System.Text.Json;
using ClipSharp.Core;

namespace ClipSharp.Data.Images;

/// <summary>Resampling filter, as OpenCLIP's <c>interpolation</c> string ("bicubic", "bilinear", "nearest").</summary>
public enum Interpolation
{
    /// <summary>Keys cubic, a = -0.5 (Pillow BICUBIC), antialiased when reducing.</summary>
    Bicubic,
    /// <summary>Triangle filter (Pillow BILINEAR), antialiased when reducing.</summary>
    Bilinear,
    /// <summary>Nearest neighbour (Pillow NEAREST).</summary>
    Nearest,
}

/// <summary>How the image is brought to the model's input size, as OpenCLIP's <c>resize_mode</c>.</summary>
public enum ResizeMode
{
    /// <summary>"shortest": resize the shortest side to the target, then centre-crop.</summary>
    Shortest,
    /// <summary>"squash": resize both sides to the target, ignoring the aspect ratio.</summary>
    Squash,
    /// <summary>"longest": resize the longest side to the target, then centre-pad with <c>fill_color</c>.</summary>
    Longest,
}

/// <summary>
/// Image preprocessing settings in OpenCLIP's <c>preprocess_cfg</c> schema (snake_case JSON: <c>image_size</c> as an
/// int or [h, w], <c>mean</c>, <c>std</c>, <c>interpolation</c>, <c>resize_mode</c>, <c>fill_color</c>, optional
/// <c>mode</c> = "RGB").
/// </summary>
public sealed record PreprocessConfig(
    int Height, int Width, float[] Mean, float[] Std, Interpolation Interpolation, ResizeMode ResizeMode, int FillColor = 0)
{
    /// <summary>OpenAI CLIP at <paramref name="size"/>: OpenAI mean/std, bicubic, shortest side + centre crop.</summary>
    public static PreprocessConfig OpenAi(int size = 224) => new(size, size,
        [0.48145466f, 0.4578275f, 0.40821073f], [0.26862954f, 0.26130258f, 0.27577711f],
        Interpolation.Bicubic, ResizeMode.Shortest);

    /// <summary>CLIPS at <paramref name="size"/>: ImageNet mean/std, bilinear, squash to size x size.</summary>
    public static PreprocessConfig Clips(int size = 224) => new(size, size,
        [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f], Interpolation.Bilinear, ResizeMode.Squash);

    /// <summary>Checks sizes, three-channel mean/std with positive std, and the fill colour.</summary>
    public PreprocessConfig Validated(string source = "preprocess config")
    {
        if (Height <= 0 || Width <= 0) throw new ClipSharpException($"{source}: image_size must be positive, got {Height}x{Width}.");
        if (Mean is not { Length: 3 } || Std is not { Length: 3 }) throw new ClipSharpException($"{source}: mean and std must have 3 values.");
        if (Std.Any(s => !(s > 0))) throw new ClipSharpException($"{source}: std values must be positive.");
        if (FillColor is < 0 or > 255) throw new ClipSharpException($"{source}: fill_color must be in 0..255, got {FillColor}.");
        return this;
    }

    /// <summary>Parses the JSON object; unknown keys and bad values are errors naming <paramref name="source"/>.</summary>
    public static PreprocessConfig FromJson(string json, string source = "preprocess config")
    {
        var cfg = OpenAi();
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e) { throw new ClipSharpException($"{source}: invalid JSON ({e.Message}).", e); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new ClipSharpException($"{source}: expected a JSON object.");
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                try { cfg = Apply(cfg, p, source); }
                catch (Exception e) when (e is InvalidOperationException or FormatException)
                {
                    throw new ClipSharpException($"{source}: bad value for '{p.Name}' ({e.Message}).", e);
                }
            }
        }
        return cfg.Validated(source);
    }

    private static PreprocessConfig Apply(PreprocessConfig cfg, JsonProperty p, string source) => p.Name switch
    {
        "image_size" or "size" => p.Value.ValueKind == JsonValueKind.Array
            ? p.Value.GetArrayLength() == 2
                ? cfg with { Height = p.Value[0].GetInt32(), Width = p.Value[1].GetInt32() }
                : throw new ClipSharpException($"{source}: '{p.Name}' must be an int or [height, width].")
            : cfg with { Height = p.Value.GetInt32(), Width = p.Value.GetInt32() },
        "mean" => cfg with { Mean = p.Value.EnumerateArray().Select(v => v.GetSingle()).ToArray() },
        "std" => cfg with { Std = p.Value.EnumerateArray().Select(v => v.GetSingle()).ToArray() },
        "interpolation" => cfg with { Interpolation = ParseInterpolation(p.Value.GetString(), source) },
        "resize_mode" => cfg with { ResizeMode = ParseResizeMode(p.Value.GetString(), source) },
        "fill_color" => cfg with { FillColor = p.Value.GetInt32() },
        "mode" => p.Value.GetString() == "RGB" ? cfg : throw new ClipSharpException($"{source}: only mode \"RGB\" is supported, got \"{p.Value}\"."),
        _ => throw new ClipSharpException($"{source}: unknown key '{p.Name}'."),
    };

    /// <summary>Maps "bicubic" / "bilinear" / "nearest".</summary>
    public static Interpolation ParseInterpolation(string? s, string source = "preprocess config") => s switch
    {
        "bicubic" => Interpolation.Bicubic,
        "bilinear" => Interpolation.Bilinear,
        "nearest" => Interpolation.Nearest,
        _ => throw new ClipSharpException($"{source}: unknown interpolation \"{s}\" (expected bicubic, bilinear or nearest)."),
    };

    /// <summary>Maps "shortest" / "squash" / "longest".</summary>
    public static ResizeMode ParseResizeMode(string? s, string source = "preprocess config") => s switch
    {
        "shortest" => ResizeMode.Shortest,
        "squash" => ResizeMode.Squash,
        "longest" => ResizeMode.Longest,
        _ => throw new ClipSharpException($"{source}: unknown resize_mode \"{s}\" (expected shortest, squash or longest)."),
    };

    /// <summary>The snake_case JSON form (image_size as an int when square).</summary>
    public string ToJson()
    {
        static string F(float v) => v.ToString("R", CultureInfo.InvariantCulture);
        var sb = new StringBuilder("{");
        sb.Append("\"image_size\": ").Append(Height == Width ? $"{Height}" : $"[{Height}, {Width}]");
        sb.Append(", \"mean\": [").Append(string.Join(", ", Mean.Select(F))).Append(']');
        sb.Append(", \"std\": [").Append(string.Join(", ", Std.Select(F))).Append(']');
        sb.Append(", \"interpolation\": \"").Append(Interpolation.ToString().ToLowerInvariant()).Append('"');
        sb.Append(", \"resize_mode\": \"").Append(ResizeMode.ToString().ToLowerInvariant()).Append('"');
        sb.Append(", \"fill_color\": ").Append(FillColor).Append('}');
        return sb.ToString();
    }

    /// <summary>Value equality including the mean/std contents (records compare arrays by reference).</summary>
    public bool Equals(PreprocessConfig? other) => other is not null && Height == other.Height && Width == other.Width
        && Mean.SequenceEqual(other.Mean) && Std.SequenceEqual(other.Std) && Interpolation == other.Interpolation
        && ResizeMode == other.ResizeMode && FillColor == other.FillColor;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Height, Width, Interpolation, ResizeMode, FillColor, Mean[0], Std[0]);
}
