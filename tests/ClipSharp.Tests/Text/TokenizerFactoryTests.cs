using ClipSharp.Core;
using ClipSharp.Tests.Parity;
using ClipSharp.Tests.Support;
using ClipSharp.Text;

namespace ClipSharp.Tests.Text;

public class TokenizerFactoryTests
{
    [SharedFact]
    public void BertNameSelectsWordPieceFromADirectory()
    {
        var dir = TestPaths.NewTempDir();
        File.Copy(TokenizerFixtures.ClipsVocab, Path.Combine(dir, "vocab.txt"));
        var tok = TokenizerFactory.Create(new TokenizerSpec("bert-base-uncased", dir, 80));
        Assert.IsType<ClipsWordPieceTokenizer>(tok);
        Assert.Equal(80, tok.ContextLength);
        Assert.Equal(TokenizerFixtures.ClipsTokenizer.Encode("a dog"), tok.Encode("a dog"));
    }

    [SharedFact]
    public void ClipsModeSelectsWordPieceWhateverTheName()
    {
        var dir = TestPaths.NewTempDir();
        File.Copy(TokenizerFixtures.ClipsVocab, Path.Combine(dir, "vocab.txt"));
        var tok = TokenizerFactory.Create(new TokenizerSpec("./", dir, 80) { TokenizerMode = "clips" });
        Assert.Equal(TokenizerFixtures.ClipsTokenizer.Encode("a dog"), tok.Encode("a dog"));
        Assert.Throws<ClipSharpException>(() => TokenizerFactory.Create(new TokenizerSpec("./", dir, 80)));
    }

    [SharedFact]
    public void NoNameSelectsClipBpeFromAFile()
    {
        var tok = TokenizerFactory.Create(new TokenizerSpec(null, TokenizerFixtures.BpeGz, 76));
        Assert.IsType<ClipBpeTokenizer>(tok);
        Assert.Equal(76, tok.Encode("a dog").Length);
        Assert.Equal(TokenizerFixtures.BpeTokenizer.Encode("a dog")[..5], tok.Encode("a dog")[..5]);
    }

    [Fact]
    public void MissingVocabularyNamesWhatAndWhere()
    {
        var dir = TestPaths.NewTempDir();
        var e = Assert.Throws<ClipSharpException>(() => TokenizerFactory.Create(new TokenizerSpec("bert-base-uncased", dir, 80)));
        Assert.Contains(dir, e.Message);
        Assert.Contains("vocab.txt", e.Message);
        e = Assert.Throws<ClipSharpException>(() => TokenizerFactory.Create(new TokenizerSpec(null, dir, 77)));
        Assert.Contains("bpe_simple_vocab_16e6.txt.gz", e.Message);
        Assert.Contains("vocab.json", e.Message);
        var missing = Path.Combine(dir, "nowhere");
        e = Assert.Throws<ClipSharpException>(() => TokenizerFactory.Create(new TokenizerSpec(null, missing, 77)));
        Assert.Contains(missing, e.Message);
        File.WriteAllText(Path.Combine(dir, "vocab.json"), "{}");
        e = Assert.Throws<ClipSharpException>(() => TokenizerFactory.Create(new TokenizerSpec(null, dir, 77)));
        Assert.Contains("merges.txt", e.Message);
    }

    [Fact]
    public void UnsupportedTokenizerNameIsAnError()
    {
        var e = Assert.Throws<ClipSharpException>(() => TokenizerFactory.Create(new TokenizerSpec("timm/vit-gpt", TokenizerFixtures.Dir, 77)));
        Assert.Contains("timm/vit-gpt", e.Message);
    }
}
