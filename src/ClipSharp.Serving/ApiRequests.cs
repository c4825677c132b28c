using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ClipSharp.Serving;

/// <summary>
/// <c>POST /search</c> as JSON: exactly one of <c>text</c>, <c>embedding</c> (a vector of the index's length) or
/// <c>id</c> (an item: "more like this"), with <c>k</c> (1 to 1000, default 10) and <c>offset</c> (default 0).
/// </summary>
public sealed record SearchRequest(string? Text = null, float[]? Embedding = null, string? Id = null, int? K = null, int? Offset = null);

/// <summary><c>POST /embed</c> as JSON: the text to embed.</summary>
public sealed record EmbedRequest(string? Text = null);

/// <summary><c>POST /items</c>: an image file under the served root (relative to it, or absolute).</summary>
public sealed record AddItemRequest(string? Path = null);

/// <summary>The answer of <c>POST /search</c>.</summary>
public sealed record SearchResponse(IReadOnlyList<SearchResult> Results, int K, int Offset, int Total, double Milliseconds);

/// <summary>The answer of <c>POST /embed</c>: a unit vector.</summary>
public sealed record EmbedResponse(float[] Embedding, int Dim, string Model);

/// <summary>The answer of <c>POST /items</c>.</summary>
public sealed record AddItemResponse(SearchResult Item, bool Added, int Total);

/// <summary>Reading requests: JSON bodies and multipart image uploads, every problem a 4xx naming it.</summary>
public static class ApiRequests
{
    /// <summary>Longest text query, in characters.</summary>
    public const int MaxTextLength = 2000;

    /// <summary>True when the request carries a multipart form.</summary>
    public static bool IsMultipart(HttpRequest r) => r.HasFormContentType;

    /// <summary>Reads a JSON body into <typeparamref name="T"/>.</summary>
    public static async Task<T> Json<T>(HttpRequest r) where T : class
    {
        if (!r.HasJsonContentType())
            throw new ApiException(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type",
                $"Send Content-Type: application/json (or multipart/form-data with an \"image\" file where the route takes one), not \"{r.ContentType ?? "nothing"}\".");
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(r.Body, ApiJson.Options, r.HttpContext.RequestAborted)
                   ?? throw ApiException.BadRequest("missing_body", "The JSON body is null; send an object.");
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest("malformed_json", $"The body is not the expected JSON: {e.Message}");
        }
    }

    /// <summary>The bytes of the uploaded file field "image" (or the only file), and the form.</summary>
    public static async Task<(byte[] Bytes, string Name, IFormCollection Form)> Image(HttpRequest r)
    {
        var form = await r.ReadFormAsync(r.HttpContext.RequestAborted);
        var file = form.Files.GetFile("image") ?? (form.Files.Count == 1 ? form.Files[0] : null)
                   ?? throw ApiException.BadRequest("missing_field", "The form has no \"image\" file.");
        if (file.Length == 0) throw ApiException.BadRequest("bad_image", $"{file.FileName}: the uploaded file is empty.");
        using var ms = new MemoryStream((int)Math.Min(file.Length, int.MaxValue));
        await file.CopyToAsync(ms, r.HttpContext.RequestAborted);
        return (ms.ToArray(), string.IsNullOrEmpty(file.FileName) ? "upload" : Path.GetFileName(file.FileName), form);
    }

    /// <summary>An optional integer form field.</summary>
    public static int? FormInt(IFormCollection form, string name)
    {
        var v = form[name].ToString();
        if (v.Length == 0) return null;
        return int.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n
            : throw ApiException.BadRequest("bad_field", $"\"{name}\" must be an integer, not \"{SearchService.Shorten(v)}\".");
    }

    /// <summary>Checks k and offset against the limits; returns them with defaults applied.</summary>
    public static (int K, int Offset) Page(int? k, int? offset, ServeOptions o)
    {
        int kk = k ?? 10, off = offset ?? 0;
        if (kk < 1 || kk > o.MaxK) throw ApiException.BadRequest("bad_k", $"k must be between 1 and {o.MaxK}, not {kk}.");
        if (off < 0 || off > o.MaxOffset) throw ApiException.BadRequest("bad_offset", $"offset must be between 0 and {o.MaxOffset}, not {off}.");
        return (kk, off);
    }

    /// <summary>Checks a text query.</summary>
    public static string Text(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw ApiException.BadRequest("missing_field", "\"text\" is empty.");
        if (text.Length > MaxTextLength) throw ApiException.BadRequest("text_too_long", $"\"text\" has {text.Length} characters; at most {MaxTextLength}.");
        return text;
    }
}
