using ClipSharp.Scenes;

namespace ClipSharp.Tests.Scenes;

public class WorldVocabularyTests
{
    [Fact]
    public void VocabHasTheClipsBertLayout()
    {
        var v = WorldVocabulary.Tokens;
        Assert.Equal("[PAD]", v[0]);
        Assert.Equal("[unused0]", v[1]);
        Assert.Equal("[unused1]", v[2]);
        Assert.Equal("[unused98]", v[99]);
        Assert.Equal(["[UNK]", "[CLS]", "[SEP]", "[MASK]"], v.Skip(100).Take(4));
        Assert.Equal(v.Count, v.Distinct().Count());
        Assert.All(v, t => Assert.False(string.IsNullOrWhiteSpace(t) || t.Contains(' ') || t.Contains('\n')));
        foreach (var w in new[] { "red", "star", "stripes", "wallpaper", "img", "_", "dsc", "jpg", ".", ",", "-", "0", "##7" })
            Assert.Contains(w, v);
        Assert.InRange(v.Count, 300, 2000);
    }

    [Fact]
    public void WrittenFileHasOneTokenPerLine()
    {
        var path = Path.Combine(Support.TestPaths.NewTempDir(), "vocab.txt");
        WorldVocabulary.Write(path);
        Assert.Equal(WorldVocabulary.Tokens, File.ReadAllLines(path));
    }

    [Fact]
    public void GeneratedCaptionsNeverTokenizeToUnknown()
    {
        var vocab = WorldVocabulary.Tokens.ToHashSet();
        var world = new WorldSamples(WorldConfig.Default with { WebFileNameRate = 0.3 }, 21);
        var texts = new List<string>();
        for (var i = 0; i < 600; i++) { var t = world.Train(i); texts.Add(t.Web.Text); texts.Add(t.Recaption); }
        for (var i = 0; i < 100; i++) { texts.AddRange(world.Eval(i).Captions.Select(c => c.Text)); texts.AddRange(world.Eval(i).HeldOut.Select(c => c.Text)); }
        for (var i = 0; i < 30; i++) texts.AddRange(world.Bag(i).Images.Select(b => b.Caption));
        var pieces = 0;
        foreach (var text in texts)
        foreach (var word in BertSplit(text))
        {
            // whole words must be vocabulary entries; only digit-bearing words (file names) may be split
            if (word.All(char.IsLetter)) Assert.True(vocab.Contains(word), $"word '{word}' of '{text}' is not in the vocab");
            var wp = GreedyWordPiece(word, vocab);
            Assert.True(wp is not null, $"'{word}' of '{text}' becomes [UNK]");
            pieces += wp!.Count;
        }
        Assert.True(pieces > 10_000);
    }

    // Independent of the library: lower-case, split on whitespace, every punctuation/symbol char is its own token.
    private static IEnumerable<string> BertSplit(string text)
    {
        var cur = "";
        foreach (var ch in text.ToLowerInvariant())
        {
            if (char.IsWhiteSpace(ch)) { if (cur.Length > 0) yield return cur; cur = ""; }
            else if (char.IsPunctuation(ch) || char.IsSymbol(ch)) { if (cur.Length > 0) yield return cur; cur = ""; yield return ch.ToString(); }
            else cur += ch;
        }
        if (cur.Length > 0) yield return cur;
    }

    // Greedy longest-match-first WordPiece; null when some part matches nothing ([UNK]).
    private static List<string>? GreedyWordPiece(string word, HashSet<string> vocab)
    {
        var pieces = new List<string>();
        for (var start = 0; start < word.Length;)
        {
            string? found = null;
            for (var end = word.Length; end > start; end--)
            {
                var sub = (start > 0 ? "##" : "") + word[start..end];
                if (vocab.Contains(sub)) { found = sub; start = end; break; }
            }
            if (found is null) return null;
            pieces.Add(found);
        }
        return pieces;
    }
}
