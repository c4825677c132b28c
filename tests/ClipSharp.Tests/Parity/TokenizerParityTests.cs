using ClipSharp.Tests.Support;
using ClipSharp.Text;

namespace ClipSharp.Tests.Parity;

/// <summary>
/// Every case of tokenizer_cases.jsonl (OpenCLIP SimpleTokenizer, context 77) and clips_tokenizer_cases.jsonl
/// (CLIPS WordPiece layout, context 80) of each fixture set (<see cref="TokenizerFixtures.Sets"/>): exact ids, cleaned
/// text, content ids, and the BPE context-76 layout; for the ftfy set also ftfy.fix_text's own output.
/// </summary>
public class TokenizerParityTests
{
    private const string BpeName = "tokenizer_cases.jsonl";
    private const string ClipsName = "clips_tokenizer_cases.jsonl";

    public static TheoryData<string, int, string> BpeRows => Compared(TokenizerFixtures.SetRows(BpeName));
    public static TheoryData<string, int, string> ClipsRows => Compared(TokenizerFixtures.SetRows(ClipsName));

    public static TheoryData<int, string> FtfyRows
    {
        get
        {
            var rows = new TheoryData<int, string>();
            foreach (var r in Compared(TokenizerFixtures.SetRows(BpeName)).Where(r => (string)r[0] == "ftfy"))
                rows.Add((int)r[1], (string)r[2]);
            return rows;
        }
    }

    // Every row but the known differences (tested apart by FtfyKnownDifferences).
    private static TheoryData<string, int, string> Compared(TheoryData<string, int, string> all)
    {
        var rows = new TheoryData<string, int, string>();
        foreach (var r in all.Where(r => !FtfyKnownDifferences.IsKnown((string)r[0], (int)r[1])))
            rows.Add((string)r[0], (int)r[1], (string)r[2]);
        return rows;
    }

    [SharedTheory]
    [MemberData(nameof(BpeRows))]
    public void ClipBpeMatchesOpenClip(string set, int id, string category)
    {
        var c = TokenizerFixtures.Load(TokenizerFixtures.CaseFile(set, BpeName))[id];
        var tok = TokenizerFixtures.BpeTokenizer;
        var text = TokenizerFixtures.Text(c);
        Assert.True(c.GetProperty("cleaned").GetString() == TextCleaner.Lower(text),
            $"{set} case {id} ({category}): cleaned text differs: expected {c.GetProperty("cleaned")} got \"{TextCleaner.Lower(text)}\"");
        var content = TokenizerFixtures.Ints(c.GetProperty("bpe_ids"));
        TokenizerFixtures.AssertIds(content, tok.ContentIds(text), $"{set} case {id} ({category}) bpe_ids");
        TokenizerFixtures.AssertIds(TokenizerFixtures.Longs(c.GetProperty("ids")), tok.Encode(text), $"{set} case {id} ({category}) ids77");
    }

    [SharedTheory]
    [MemberData(nameof(BpeRows))]
    public void ClipBpeContext76KeepsEotLast(string set, int id, string category)
    {
        var c = TokenizerFixtures.Load(TokenizerFixtures.CaseFile(set, BpeName))[id];
        var text = TokenizerFixtures.Text(c);
        var coca = new ClipBpeTokenizer(TokenizerFixtures.BpeTokenizer.Vocabulary, contextLength: 76);
        var content = TokenizerFixtures.Ints(c.GetProperty("bpe_ids"));
        // OpenCLIP tokenize(): [sot] + ids + [eot], cut to L with eot forced at L-1, 0-padded.
        var expected = new List<long> { 49406 };
        expected.AddRange(content.Select(x => (long)x));
        expected.Add(49407);
        if (expected.Count > 76) { expected.RemoveRange(76, expected.Count - 76); expected[75] = 49407; }
        while (expected.Count < 76) expected.Add(0);
        TokenizerFixtures.AssertIds(expected, coca.Encode(text), $"{set} case {id} ({category}) ids76");
    }

    [SharedTheory]
    [MemberData(nameof(ClipsRows))]
    public void ClipsWordPieceMatchesReference(string set, int id, string category)
    {
        var c = TokenizerFixtures.Load(TokenizerFixtures.CaseFile(set, ClipsName))[id];
        var tok = TokenizerFixtures.ClipsTokenizer;
        var text = TokenizerFixtures.Text(c);
        Assert.True(c.GetProperty("cleaned").GetString() == TextCleaner.Whitespace(text),
            $"{set} case {id} ({category}): cleaned text differs: expected {c.GetProperty("cleaned")} got \"{TextCleaner.Whitespace(text)}\"");
        var content = TokenizerFixtures.Ints(c.GetProperty("wordpiece_ids"));
        TokenizerFixtures.AssertIds(content, tok.ContentIds(text), $"{set} case {id} ({category}) wordpiece_ids");
        TokenizerFixtures.AssertIds(TokenizerFixtures.Longs(c.GetProperty("ids")), tok.Encode(text), $"{set} case {id} ({category}) ids80");
        var tokens = c.GetProperty("wordpiece_tokens").EnumerateArray().Select(t => t.GetString()!).ToArray();
        Assert.Equal(tokens, content.Select(i => tok.Vocabulary.TokenOf(i)!).ToArray());
    }

    [SharedTheory]
    [MemberData(nameof(FtfyRows))]
    public void TextFixerMatchesFtfy(int id, string category)
    {
        const string set = "ftfy";
        var c = TokenizerFixtures.Load(TokenizerFixtures.CaseFile(set, BpeName))[id];
        var expected = c.GetProperty("ftfy");
        var text = TokenizerFixtures.Text(c);
        Assert.True(expected.GetString() == TextFixer.Fix(text),
            $"{set} case {id} ({category}): ftfy.fix_text gives {Escaped(expected.GetString()!)}, TextFixer.Fix gives {Escaped(TextFixer.Fix(text))}");
    }

    private static string Escaped(string s) =>
        "\"" + string.Concat(s.Select(ch => ch is >= ' ' and < '\u007F' ? ch.ToString() : $"\\u{(int)ch:X4}")) + "\"";
}
