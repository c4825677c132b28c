using System.Text;

namespace ClipSharp.Fuzz.Targets;

/// <summary>Dictionary tokens for JSON-shaped inputs: structure, numbers on the edges, escapes and invalid UTF-8.</summary>
internal static class JsonTokens
{
    /// <summary>Byte sequences that are not UTF-8: a lone continuation byte, overlong forms, a surrogate, a cut sequence.</summary>
    public static IReadOnlyList<byte[]> InvalidUtf8 { get; } =
        [[0x80], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC3], [0xFF, 0xFE], [0xF0, 0x9F, 0x98]];

    public static IReadOnlyList<byte[]> All { get; } = Make();

    private static List<byte[]> Make()
    {
        string[] text =
        [
            "{", "}", "[", "]", ",", ":", "\"", "\"\"", "null", "true", "false", "-1", "0", "1e308", "-0", "1.5", "1e-400",
            "9223372036854775807", "9223372036854775808", "18446744073709551616", "4294967296", "1099511627776",
            "\\u0000", "\\ud800", "\\udc00\\ud800", "\\\"", "//", "/*", "*/", "\"__metadata__\"", "\"dtype\"", "\"shape\"",
            "\"data_offsets\"", "\"F32\"", "\"BF16\"", "\"I64\"", "\"BOOL\"", "[]", "{}", "[[[[[[[[", "]]]]]]]]",
        ];
        var tokens = text.Select(Encoding.UTF8.GetBytes).ToList();
        tokens.AddRange(InvalidUtf8);
        return tokens;
    }

}
