using System.Text;
using System.Text.Json;

namespace ClipSharp.Data.Sources;

/// <summary>Strict UTF-8 decoding and caption-field lookup shared by the sources.</summary>
public static class CaptionFields
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes UTF-8 (a leading BOM is dropped); throws <see cref="BadSampleException"/> (invalid_utf8) naming <paramref name="what"/>.</summary>
    public static string DecodeUtf8(byte[] bytes, string origin, string key, string what)
    {
        try
        {
            var s = Strict.GetString(bytes);
            return s.Length > 0 && s[0] == '\uFEFF' ? s[1..] : s;
        }
        catch (DecoderFallbackException e)
        {
            throw new BadSampleException(BadSampleReasons.InvalidUtf8, origin, key, $"{what} is not valid UTF-8 (bad byte at offset {e.Index})", e);
        }
    }

    /// <summary>Parses a JSON object; throws <see cref="BadSampleException"/> (invalid_utf8 / invalid_json) naming <paramref name="what"/>.</summary>
    public static JsonDocument ParseJson(byte[] bytes, string origin, string key, string what)
    {
        var text = DecodeUtf8(bytes, origin, key, what);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(text); }
        catch (JsonException e) { throw new BadSampleException(BadSampleReasons.InvalidJson, origin, key, $"{what} is not valid JSON ({e.Message.Split('\n')[0].TrimEnd('.')})", e); }
        if (doc.RootElement.ValueKind != JsonValueKind.Object || HasLoneSurrogateEscape(bytes))
        {
            bool isObject = doc.RootElement.ValueKind == JsonValueKind.Object;
            doc.Dispose();
            throw new BadSampleException(BadSampleReasons.InvalidJson, origin, key,
                isObject ? $"{what} holds a \\u escape that is not valid Unicode (a lone surrogate)" : $"{what} is JSON but not an object");
        }
        return doc;
    }

    // "\ud800" is valid JSON syntax but no string: reading it later (GetString, a property name) would throw
    // InvalidOperationException far from the sample. Only escaped tokens can hold one (the bytes are valid UTF-8).
    private static bool HasLoneSurrogateEscape(byte[] bytes)
    {
        var span = bytes.AsSpan(bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0);
        var reader = new Utf8JsonReader(span);
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName) || !reader.ValueIsEscaped) continue;
            try { reader.GetString(); }
            catch (InvalidOperationException) { return true; }
        }
        return false;
    }

    /// <summary>The string field <paramref name="field"/> of a JSON object; null when absent, null or not a string.</summary>
    public static string? StringField(JsonElement obj, string field) =>
        obj.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
