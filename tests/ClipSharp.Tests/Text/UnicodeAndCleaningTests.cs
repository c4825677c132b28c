using ClipSharp.Text;

namespace ClipSharp.Tests.Text;

public class UnicodeAndCleaningTests
{
    [Theory]
    [InlineData("e\u0301", "\u00E9")]                  // combining acute composes
    [InlineData("A\u030A", "\u00C5")]                  // Å
    [InlineData("\u212B", "\u00C5")]                   // Angstrom sign is a singleton: NFC gives Å
    [InlineData("\u1112\u1161\u11AB", "\uD55C")]       // Hangul jamo compose algorithmically (한)
    [InlineData("q\u0307\u0323", "q\u0323\u0307")]     // canonical ordering: below (220) before above (230)
    [InlineData("\u0958", "\u0915\u093C")]             // composition exclusion stays decomposed
    [InlineData("plain ascii", "plain ascii")]
    public void NfcMatchesUnicode(string input, string nfc) => Assert.Equal(nfc, UnicodeNormalizer.ToNfc(input));

    [Theory]
    [InlineData("\u00E9", "e\u0301")]
    [InlineData("\uD55C", "\u1112\u1161\u11AB")]
    [InlineData("\u1EC7", "e\u0323\u0302")]            // ệ: dot below first (ccc 220 < 230)
    public void NfdMatchesUnicode(string input, string nfd) => Assert.Equal(nfd, UnicodeNormalizer.ToNfd(input));

    [Theory]
    [InlineData("Tom &amp; Jerry", "Tom & Jerry")]
    [InlineData("&amp", "&")]                           // legacy name without ';'
    [InlineData("&notit;", "\u00ACit;")]                // longest legacy prefix, as Python
    [InlineData("&#x80;", "\u20AC")]                    // Windows-1252 remap
    [InlineData("&#0;", "\uFFFD")]
    [InlineData("&#x110000;", "\uFFFD")]
    [InlineData("&bogus; & ;", "&bogus; & ;")]
    [InlineData("&#128512;", "\U0001F600")]
    public void HtmlUnescapeFollowsPython(string input, string expected) => Assert.Equal(expected, HtmlEntities.Unescape(input));

    [Theory]
    [InlineData("cafÃ©", "café")]                       // UTF-8 read as Windows-1252
    [InlineData("doesnÃ¢â‚¬â„¢t", "doesn't")]          // twice mis-decoded, then uncurled
    [InlineData("naïve café Ångström ñ ß", "naïve café Ångström ñ ß")] // real accents stay
    [InlineData("\uFB01sh", "fish")]
    [InlineData("\uFF76\uFF9E", "\u30AC")]               // halfwidth ka + voiced mark -> ガ (width fold + NFC)
    [InlineData("\uFEFFbom", "bom")]
    [InlineData("\u201Cq\u201D \u2018s\u2019", "\"q\" 's'")]
    public void FixTextRepairsWhatFtfyRepairs(string input, string expected) => Assert.Equal(expected, TextFixer.Fix(input));

    [Fact]
    public void WhitespaceCleanerCollapsesPythonWhitespace()
    {
        Assert.Equal("a b c", TextCleaner.Whitespace("  a\t\u00A0b \u3000\n c \u001F"));
        Assert.Equal("", TextCleaner.Whitespace(" \t "));
        Assert.Equal("already clean", TextCleaner.Whitespace("already clean"));
    }

    [Theory]
    [InlineData("\u0130stanbul", "i\u0307stanbul")]
    [InlineData("\u03A3\u0399\u03A3\u03A5\u03A6\u039F\u03A3 \u039F\u03A3.", "\u03C3\u03B9\u03C3\u03C5\u03C6\u03BF\u03C2 \u03BF\u03C2.")]
    [InlineData("\u03A3", "\u03C3")]
    [InlineData("ABC \U00010400", "abc \U00010428")]
    public void LowerFollowsPython(string input, string expected) => Assert.Equal(expected, TextCleaner.PythonLower(input));
}
