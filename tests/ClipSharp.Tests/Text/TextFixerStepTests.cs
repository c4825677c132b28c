using ClipSharp.Tests.Parity;
using ClipSharp.Text;

namespace ClipSharp.Tests.Text;

/// <summary>
/// ftfy steps checked outside the fixture manifest. Expected values come from the real ftfy 6.3.1 in the reference
/// chroot: <c>cd /tmp/peers/scratch/X &amp;&amp; /work/shared/peer/peer_python.sh s.py</c> with s.py printing
/// <c>ascii(ftfy.fix_text(s, max_decode_length=n))</c> for each row.
/// </summary>
public class TextFixerStepTests
{
    [Theory]
    [InlineData("\u001B[\u0663mX", "X")]                 // \d is any Unicode decimal digit
    [InlineData("\u001B[\U0001D7D8mW", "W")]             // also outside the BMP
    [InlineData("\u001B[31;1;mY", "Y")]
    [InlineData("\u001B\u001B[0mZ", "Z")]                // the first ESC is a control character
    [InlineData("end \u001B[31", "end [31")]             // no final letter: only ESC goes (remove_control_chars)
    [InlineData("\u001B[\u00E9m", "[\u00E9m")]
    [InlineData("&amp; x <b>", "&amp; x <b>")]           // '<' in the segment: no unescaping
    public void TerminalEscapesAndAutoUnescape(string input, string expected) => Assert.Equal(expected, TextFixer.Fix(input));

    [Theory]
    [InlineData("caf\u00C3\u00A9 caf\u00C3\u00A9", 4, "caf\u00C3\u00A9 caf\u00E9")]  // cut inside the first mojibake
    [InlineData("caf\u00C3\u00A9 caf\u00C3\u00A9", 5, "caf\u00E9 caf\u00C3\u00A9")]  // cut inside the second
    [InlineData("ab\U0001F600\u00C3\u00A9x", 3, "ab\U0001F600\u00E9x")]               // counted in code points
    public void MaxDecodeLengthCutsSegmentsInCodePoints(string input, int maxDecodeLength, string expected) =>
        Assert.Equal(expected, TextFixer.Fix(input, maxDecodeLength));

    [Fact]
    public void FtfyEntityTableIsFtfys()
    {
        // tests/fixtures/ftfy/ftfy_html_entities.tsv: ftfy.chardata.HTML_ENTITIES, written by ftfy_cases.py
        var path = Path.Combine(TokenizerFixtures.SetRoot("ftfy"), "ftfy_html_entities.tsv");
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path).Where(l => l.Length > 0))
        {
            var parts = line.Split('\t');
            expected[parts[0]] = string.Concat(parts[1].Split(' ').Select(h => char.ConvertFromUtf32(Convert.ToInt32(h, 16))));
        }
        var actual = Html5EntityTable.Ftfy;
        var missing = expected.Keys.Where(k => !actual.ContainsKey(k)).ToList();
        var extra = actual.Keys.Where(k => !expected.ContainsKey(k)).ToList();
        var wrong = expected.Where(p => actual.TryGetValue(p.Key, out var v) && v != p.Value).Select(p => p.Key).ToList();
        Assert.True(missing.Count + extra.Count + wrong.Count == 0,
            $"missing {string.Join(' ', missing.Take(10))}; extra {string.Join(' ', extra.Take(10))}; wrong {string.Join(' ', wrong.Take(10))}");
        Assert.Equal(3501, expected.Count);
    }

    [Theory]
    [InlineData("&checkmark; &Jscr;ohn &bigstar;", "\u2713 \U0001D4A5ohn \u2605")]  // HTML5-only names
    [InlineData("&notit; &amp;notit;", "\u00ACit; &notit;")]                         // legacy prefix, one pass
    [InlineData("&NTILDE;", "&NTILDE;")]                                             // all-caps: ftfy only
    public void HtmlUnescapeKnowsHtml5Names(string input, string expected) => Assert.Equal(expected, HtmlEntities.Unescape(input));
}
