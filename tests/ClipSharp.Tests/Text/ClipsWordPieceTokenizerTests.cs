using ClipSharp.Core;
using ClipSharp.Tests.Parity;
using ClipSharp.Tests.Support;
using ClipSharp.Text;

namespace ClipSharp.Tests.Text;

public class ClipsWordPieceTokenizerTests
{
    private static ClipsWordPieceTokenizer Tok => TokenizerFixtures.ClipsTokenizer;

    [SharedFact]
    public void SpecVectors()
    {
        // clips-spec.md §4.5 test vectors (L = 80).
        Assert.Equal(new long[] { 1, 1037, 16403, 2 }, Tok.Encode("a diagram")[..4]);
        Assert.Equal(new long[] { 1, 1037, 21388, 10177, 2102, 2 }, Tok.Encode("a beignet")[..6]);
        var row = Tok.Encode("A photo of a Café, isn't it?");
        Assert.Equal(new long[] { 1, 1037, 6302, 1997, 1037, 7668, 1010, 3475, 1005, 1056, 2009, 1029, 2 }, row[..13]);
        Assert.All(row[13..79], x => Assert.Equal(0, x));
        Assert.Equal(101, row[79]);
    }

    [SharedTheory]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(32)]
    [InlineData(80)]
    [InlineData(128)]
    public void LayoutHoldsForAnyContextLength(int length)
    {
        var tok = new ClipsWordPieceTokenizer(Tok.Vocabulary, length);
        var content = Tok.ContentIds(string.Join(' ', Enumerable.Repeat("a red bicycle", 40)));
        var row = tok.Encode(string.Join(' ', Enumerable.Repeat("a red bicycle", 40)));
        Assert.Equal(length, row.Length);
        Assert.Equal(1, row[0]);
        Assert.Equal(101, row[length - 1]);
        var n = Math.Min(content.Length, length - 3);
        Assert.Equal(content.Take(n).Select(x => (long)x), row[1..(1 + n)]);
        Assert.Equal(2, row[1 + n]);
        Assert.All(row[(2 + n)..(length - 1)], x => Assert.Equal(0, x));
    }

    [SharedFact]
    public void LongWordsAndUnknownsBecomeUnk()
    {
        Assert.Equal(new[] { 100 }, Tok.ContentIds(new string('a', 101)));
        Assert.NotEqual(new[] { 100 }, Tok.ContentIds(new string('a', 100)));
        Assert.Equal(new[] { 1037, 100 }, Tok.ContentIds("a \U0001F642x"));
    }

    [SharedFact]
    public void DecodeJoinsPiecesAndPunctuation()
    {
        Assert.Equal("a beignet", Tok.Decode(Tok.Encode("a beignet")));
        Assert.Equal("a photo of a cafe, isn't it?", Tok.Decode(Tok.Encode("A photo of a Café, isn't it?")));
        Assert.Equal("a close-up (left) of the dog's toy.", Tok.Decode(Tok.Encode("A close-up (left) of the dog's toy.")));
    }

    [Fact]
    public void BuiltVocabularyRoundTripsThroughVocabTxt()
    {
        var vocab = WordPieceVocabulary.Build(["a", "red", "cube", "on", "the", "table", "##s", "."]);
        Assert.Equal("[PAD]", vocab.TokenOf(0));
        Assert.Equal("[UNK]", vocab.TokenOf(100));
        Assert.Equal("[CLS]", vocab.TokenOf(101));
        Assert.Equal("[SEP]", vocab.TokenOf(102));
        var path = Path.Combine(TestPaths.NewTempDir(), "vocab.txt");
        vocab.Save(path);
        var tok = ClipsWordPieceTokenizer.FromFile(path, 16);
        Assert.Equal(vocab.Tokens, tok.Vocabulary.Tokens);
        var ids = tok.ContentIds("A red cubes on the TABLE. Zebra!");
        Assert.Equal(new[] { "a", "red", "cube", "##s", "on", "the", "table", "." },
            ids.Take(8).Select(i => tok.Vocabulary.TokenOf(i)).ToArray());
        Assert.Equal(100, ids[8]); // "zebra": 'z' and 'b' are not in this vocabulary
        Assert.Equal("a red cubes on the table. [UNK] [UNK]", tok.Decode(tok.Encode("A red cubes on the TABLE. Zebra!")));
        var row = tok.Encode("a red cube");
        Assert.Equal(new long[] { 1, vocab.IdOf("a"), vocab.IdOf("red"), vocab.IdOf("cube"), 2 }, row[..5]);
        Assert.Equal(101, row[15]);
    }

    [Fact]
    public void CharactersMakeAnyKnownWordTokenizable()
    {
        var tok = new ClipsWordPieceTokenizer(WordPieceVocabulary.Build(["cat", "dog"]), 16);
        Assert.DoesNotContain(100, tok.ContentIds("god act"));
    }

    [Fact]
    public void MissingOrShortVocabularyIsAClearError()
    {
        var dir = TestPaths.NewTempDir();
        var e = Assert.Throws<ClipSharpException>(() => ClipsWordPieceTokenizer.FromFile(Path.Combine(dir, "vocab.txt")));
        Assert.Contains(Path.Combine(dir, "vocab.txt"), e.Message);
        File.WriteAllLines(Path.Combine(dir, "short.txt"), ["[PAD]", "a"]);
        e = Assert.Throws<ClipSharpException>(() => WordPieceVocabulary.Load(Path.Combine(dir, "short.txt")));
        Assert.Contains("short.txt", e.Message);
    }
}
