using System.IO.Compression;
using System.Text.Json;
using ClipSharp.Core;
using ClipSharp.Tests.Parity;
using ClipSharp.Tests.Support;
using ClipSharp.Text;

namespace ClipSharp.Tests.Text;

public class ClipBpeTokenizerTests
{
    private static ClipBpeTokenizer Tok => TokenizerFixtures.BpeTokenizer;

    [SharedFact]
    public void VocabularyHasOpenClipShape()
    {
        Assert.Equal(49408, Tok.VocabSize);
        Assert.Equal(49406, Tok.BosId);
        Assert.Equal(49407, Tok.EosId);
        Assert.Equal(77, Tok.ContextLength);
        Assert.Equal("a</w>", Tok.Vocabulary.TokenOf(320));
    }

    [SharedFact]
    public void EncodeLayoutAndTruncation()
    {
        var row = Tok.Encode("a photo of a cat");
        Assert.Equal(77, row.Length);
        Assert.Equal(49406, row[0]);
        Assert.Equal(49407, row[6]);
        Assert.All(row.Skip(7), x => Assert.Equal(0, x));
        var longRow = Tok.Encode(string.Join(' ', Enumerable.Repeat("dog", 200)));
        Assert.Equal(49407, longRow[^1]);
        Assert.DoesNotContain(0L, longRow);
        Assert.Equal(Tok.Encode("x y"), Tok.Frame(Tok.ContentIds("x y")));
    }

    [SharedTheory]
    [InlineData("a photo of a cat")]
    [InlineData("two dogs and 3 cats")]
    [InlineData("caf\u00E9 \U0001F600 \u65E5\u672C")]
    public void DecodeInvertsEncodeOnCleanText(string text) => Assert.Equal(text, Tok.Decode(Tok.Encode(text)));

    [SharedFact]
    public void HuggingFacePairGivesTheSameIdsAsTheOpenClipFile()
    {
        // Write the OpenAI vocabulary in the Hugging Face layout (vocab.json + merges.txt, <|startoftext|> names).
        var dir = TestPaths.NewTempDir();
        var vocab = Tok.Vocabulary;
        var map = new Dictionary<string, int>();
        for (var id = 0; id < vocab.Count; id++) map[vocab.TokenOf(id)!] = id;
        map.Remove("<start_of_text>"); map.Remove("<end_of_text>");
        map["<|startoftext|>"] = 49406; map["<|endoftext|>"] = 49407;
        File.WriteAllText(Path.Combine(dir, "vocab.json"), JsonSerializer.Serialize(map));
        using (var gz = new GZipStream(File.OpenRead(TokenizerFixtures.BpeGz), CompressionMode.Decompress))
        using (var reader = new StreamReader(gz))
        {
            var lines = reader.ReadToEnd().Split('\n').Skip(1).Take(49152 - 256 - 2);
            File.WriteAllLines(Path.Combine(dir, "merges.txt"), new[] { "#version: 0.2" }.Concat(lines));
        }
        var hf = TokenizerFactory.Create(new TokenizerSpec(null, Path.Combine(dir, "vocab.json"), 77));
        foreach (var c in TokenizerFixtures.Load(TokenizerFixtures.CaseFile("tokenizer_cases.jsonl")).Values)
        {
            var text = c.GetProperty("text").GetString()!;
            // Literal special-token text matches the vocabulary's own names (<|startoftext|> in the HF files).
            if (text.Contains("_of_text>", StringComparison.OrdinalIgnoreCase)) continue;
            TokenizerFixtures.AssertIds(TokenizerFixtures.Longs(c.GetProperty("ids")), hf.Encode(text), $"HF pair, case {c.GetProperty("id")}");
        }
    }

    [Fact]
    public void MissingOrBrokenVocabularyIsAClearError()
    {
        var dir = TestPaths.NewTempDir();
        var e = Assert.Throws<ClipSharpException>(() => ClipBpeTokenizer.FromOpenClipFile(Path.Combine(dir, "nope.txt.gz")));
        Assert.Contains("nope.txt.gz", e.Message);
        var bad = Path.Combine(dir, "bad.txt.gz");
        File.WriteAllText(bad, "not gzip");
        e = Assert.Throws<ClipSharpException>(() => ClipBpeTokenizer.FromOpenClipFile(bad));
        Assert.Contains("bad.txt.gz", e.Message);
    }

    [SharedFact]
    public void ConcurrentEncodingIsConsistent()
    {
        var texts = Enumerable.Range(0, 64).Select(i => $"caption number {i} with a zebra{i} and more words").ToArray();
        var serial = texts.Select(Tok.Encode).ToArray();
        var parallel = new long[texts.Length][];
        Parallel.For(0, texts.Length, i => parallel[i] = Tok.Encode(texts[i]));
        Assert.Equal(serial, parallel);
        Assert.Equal(serial, ((ITextTokenizer)Tok).EncodeBatch(texts));
    }
}
