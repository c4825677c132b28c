using ClipSharp.Text;

namespace ClipSharp.Tests.Parity;

/// <summary>
/// Every case of tokenizer_cases.jsonl (OpenCLIP SimpleTokenizer, context 77) and clips_tokenizer_cases.jsonl
/// (CLIPS WordPiece layout, context 80): exact ids, cleaned text, content ids, and the BPE context-76 layout.
/// </summary>
public class TokenizerParityTests
{
    private static string BpeCases => TokenizerFixtures.CaseFile("tokenizer_cases.jsonl");
    private static string ClipsCases => TokenizerFixtures.CaseFile("clips_tokenizer_cases.jsonl");

    public static TheoryData<int, string> BpeRows => TokenizerFixtures.Rows(BpeCases);
    public static TheoryData<int, string> ClipsRows => TokenizerFixtures.Rows(ClipsCases);

    [Theory]
    [MemberData(nameof(BpeRows))]
    public void ClipBpeMatchesOpenClip(int id, string category)
    {
        var c = TokenizerFixtures.Load(BpeCases)[id];
        var tok = TokenizerFixtures.BpeTokenizer;
        var text = c.GetProperty("text").GetString()!;
        Assert.True(c.GetProperty("cleaned").GetString() == TextCleaner.Lower(text),
            $"case {id} ({category}): cleaned text differs: expected {c.GetProperty("cleaned")} got \"{TextCleaner.Lower(text)}\"");
        var content = TokenizerFixtures.Ints(c.GetProperty("bpe_ids"));
        TokenizerFixtures.AssertIds(content, tok.ContentIds(text), $"case {id} ({category}) bpe_ids");
        TokenizerFixtures.AssertIds(TokenizerFixtures.Longs(c.GetProperty("ids")), tok.Encode(text), $"case {id} ({category}) ids77");
    }

    [Theory]
    [MemberData(nameof(BpeRows))]
    public void ClipBpeContext76KeepsEotLast(int id, string category)
    {
        var c = TokenizerFixtures.Load(BpeCases)[id];
        var text = c.GetProperty("text").GetString()!;
        var coca = new ClipBpeTokenizer(TokenizerFixtures.BpeTokenizer.Vocabulary, contextLength: 76);
        var content = TokenizerFixtures.Ints(c.GetProperty("bpe_ids"));
        // OpenCLIP tokenize(): [sot] + ids + [eot], cut to L with eot forced at L-1, 0-padded.
        var expected = new List<long> { 49406 };
        expected.AddRange(content.Select(x => (long)x));
        expected.Add(49407);
        if (expected.Count > 76) { expected.RemoveRange(76, expected.Count - 76); expected[75] = 49407; }
        while (expected.Count < 76) expected.Add(0);
        TokenizerFixtures.AssertIds(expected, coca.Encode(text), $"case {id} ({category}) ids76");
    }

    [Theory]
    [MemberData(nameof(ClipsRows))]
    public void ClipsWordPieceMatchesReference(int id, string category)
    {
        var c = TokenizerFixtures.Load(ClipsCases)[id];
        var tok = TokenizerFixtures.ClipsTokenizer;
        var text = c.GetProperty("text").GetString()!;
        Assert.True(c.GetProperty("cleaned").GetString() == TextCleaner.Whitespace(text),
            $"case {id} ({category}): cleaned text differs: expected {c.GetProperty("cleaned")} got \"{TextCleaner.Whitespace(text)}\"");
        var content = TokenizerFixtures.Ints(c.GetProperty("wordpiece_ids"));
        TokenizerFixtures.AssertIds(content, tok.ContentIds(text), $"case {id} ({category}) wordpiece_ids");
        TokenizerFixtures.AssertIds(TokenizerFixtures.Longs(c.GetProperty("ids")), tok.Encode(text), $"case {id} ({category}) ids80");
        var tokens = c.GetProperty("wordpiece_tokens").EnumerateArray().Select(t => t.GetString()!).ToArray();
        Assert.Equal(tokens, content.Select(i => tok.Vocabulary.TokenOf(i)!).ToArray());
    }
}
