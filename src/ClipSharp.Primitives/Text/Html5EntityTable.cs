using System.Text;

namespace ClipSharp.Text;

/// <summary>
/// The HTML5 named character references (the WHATWG list as Python's <c>html.entities.html5</c> holds it: 2231 names,
/// with ';' and the legacy names without), read from the embedded <c>Html5Entities.tsv</c> (made by
/// tests/fixture-gen/html5_entities.py), and the table ftfy's <c>unescape_html</c> step decodes.
/// </summary>
internal static class Html5EntityTable
{
    private const string ResourceSuffix = "Html5Entities.tsv";

    private static readonly Lazy<Dictionary<string, string>> NamedTable = new(Load);
    private static readonly Lazy<Dictionary<string, string>> FtfyTable = new(BuildFtfy);

    /// <summary>Name (as written after '&amp;', with its ';' where it has one) to the characters it stands for.</summary>
    public static IReadOnlyDictionary<string, string> Named => NamedTable.Value;

    /// <summary>
    /// ftfy's entity table, keyed by the whole reference ("&amp;eacute;"): every HTML5 name that ends in ';', plus the
    /// all-caps spelling of each lower-case name whose all-caps reference Python's <c>html.unescape</c> leaves alone,
    /// mapped to the upper-cased characters (full case mapping: "&amp;SZLIG;" is "SS").
    /// </summary>
    public static IReadOnlyDictionary<string, string> Ftfy => FtfyTable.Value;

    private static Dictionary<string, string> Load()
    {
        var asm = typeof(Html5EntityTable).Assembly;
        var name = asm.GetManifestResourceNames().Single(n => n.EndsWith(ResourceSuffix, StringComparison.Ordinal));
        using var reader = new StreamReader(asm.GetManifestResourceStream(name)!, Encoding.UTF8);
        var d = new Dictionary<string, string>(2300, StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            var tab = line.IndexOf('\t');
            var sb = new StringBuilder(2);
            foreach (var hex in line[(tab + 1)..].Split(' '))
                sb.Append(char.ConvertFromUtf32(Convert.ToInt32(hex, 16)));
            d[line[..tab]] = sb.ToString();
        }
        return d;
    }

    private static Dictionary<string, string> BuildFtfy()
    {
        var d = new Dictionary<string, string>(3600, StringComparer.Ordinal);
        foreach (var (name, value) in Named)
        {
            if (!name.EndsWith(';')) continue;
            d["&" + name] = value;
            if (name != name.ToLowerInvariant()) continue;
            var upper = "&" + name.ToUpperInvariant();
            if (HtmlEntities.Unescape(upper) == upper) d[upper] = FullUpper(value);
        }
        return d;
    }

    // Python str.upper(): the simple mapping plus the unconditional SpecialCasing expansions that occur among
    // entity values (ß, the Latin ligatures ﬀ..ﬄ, ŉ); dotless ı upper-cases to I (.NET's invariant mapping keeps it).
    private static string FullUpper(string value)
    {
        var sb = new StringBuilder(value.Length + 2);
        foreach (var rune in value.EnumerateRunes())
        {
            sb.Append(rune.Value switch
            {
                0xDF => "SS", 0xFB00 => "FF", 0xFB01 => "FI", 0xFB02 => "FL", 0xFB03 => "FFI", 0xFB04 => "FFL",
                0x149 => "\u02BCN", 0x131 => "I",
                _ => Rune.ToUpperInvariant(rune).ToString(),
            });
        }
        return sb.ToString();
    }
}
