using System.Text;
using ClipSharp.Text;

namespace ClipSharp.Fuzz.Targets;

/// <summary>
/// The CLIP BPE or the CLIPS WordPiece tokenizer on arbitrary Unicode: an input whose first byte is 0xFF is read as
/// UTF-16LE code units (so unpaired surrogates reach the tokenizer, as they can through JSON "\ud800" escapes), any
/// other as UTF-8 with replacement. Contract: a row of exactly the context length, or a ClipSharpException.
/// </summary>
public sealed class TokenizerTarget(FuzzPaths paths, bool wordPiece) : FuzzTarget
{
    private readonly Lazy<ITextTokenizer> _tok = new(() => wordPiece
        ? ClipsWordPieceTokenizer.FromFile(Path.Combine(paths.Fixtures, "openclip", "tokenizer", "clips_vocab.txt"))
        : ClipBpeTokenizer.FromOpenClipFile(Path.Combine(paths.Fixtures, "openclip", "tokenizer", "bpe_simple_vocab_16e6.txt.gz")));

    public override string Name => wordPiece ? "wordpiece" : "bpe";
    public override bool NamesInput => false;
    public override int MaxInputLength => 4096;

    public override IReadOnlyList<byte[]> Dictionary { get; } = Tokens();

    protected override IReadOnlyList<byte[]> MakeSeeds()
    {
        _ = _tok.Value; // load the vocabulary here, not inside the first timed input
        string[] texts =
        [
            "a photo of a cat", "A Café, isn't it?  Two dogs & 3 cats!", "caf\u00C3\u00A9 mojibake &amp; &lt;b&gt; &#x1F600;",
            "日本語のキャプション、猫。", "e\u0301\u0301 ﬁ ｆｕｌｌ ①②", "emoji 👩‍👩‍👧 🇫🇷 ❤️", "שלום مرحبا \u200F\u202E",
            new string('a', 300), "x" + new string('\u0301', 120), "<|startoftext|> [CLS] [SEP] ##ing 's 've",
            "&amp;amp;lt;b&amp;gt; &#x26;#65; &#128512;&#xfe0f; &notanentity; &#99999999;",
            string.Concat(Enumerable.Repeat("supercalifragilistic", 150)), // one 3000-letter piece (LongPieceBpe)
            string.Join(' ', Enumerable.Range(0, 400).Select(i => $"word{i} café")),
        ];
        var seeds = texts.Select(Encoding.UTF8.GetBytes).ToList();
        seeds.Add([0xFF, .. Encoding.Unicode.GetBytes("lone \ud800 high and \udc00 low surrogates")]);
        return seeds;
    }

    public override long Run(byte[] input, string path)
    {
        var text = input.Length > 0 && input[0] == 0xFF ? Encoding.Unicode.GetString(input, 1, (input.Length - 1) & ~1) : Encoding.UTF8.GetString(input);
        var tok = _tok.Value;
        var row = tok.Encode(text);
        if (row.Length != tok.ContextLength) throw new InvalidOperationException($"row of {row.Length} ids, not {tok.ContextLength}");
        if (row.Any(id => id < 0 || id >= tok.VocabSize)) throw new InvalidOperationException("an id outside the vocabulary");
        return 0;
    }

    private static IReadOnlyList<byte[]> Tokens()
    {
        string[] t =
        [
            " ", "  ", "\t", "\n", "'s", "'ll", "&amp;", "&#0;", "&#xD800;", "&#1114112;", "&nbsp;", "\u0301", "\u200D", "\uFEFF",
            "\u00C3\u00A9", "\u00E2\u0080\u0099", "🏳️‍🌈", "İ", "ß", "Ⅻ", "㍿", "\u0000", "##", "[UNK]", "<|endoftext|>", "0123456789",
        ];
        return [.. t.Select(Encoding.UTF8.GetBytes), .. JsonTokens.InvalidUtf8, [0xFF], [0x00, 0xD8], [0x00, 0xDC]];
    }
}
