using ClipSharp.Checkpoints;
using ClipSharp.Core;
using ClipSharp.Tests.Support;

namespace ClipSharp.Tests.Checkpoints;

public class HfModelDirectoryTests
{
    private static string Dir(params string[] files)
    {
        var dir = TestPaths.NewTempDir();
        foreach (var f in files) File.WriteAllText(Path.Combine(dir, f), "{}");
        return dir;
    }

    [Fact]
    public void FindsTheClipsRepositoryLayout()
    {
        var dir = Dir("open_clip_pytorch_model.bin", "open_clip_config.json", "vocab.txt", "tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "README.md");
        var m = HfModelDirectory.Open(dir);
        Assert.Equal(Path.Combine(dir, "open_clip_pytorch_model.bin"), m.WeightsPath);
        Assert.Equal(Path.Combine(dir, "vocab.txt"), m.VocabTxt);
        Assert.NotNull(m.TokenizerJson);
        Assert.NotNull(m.SpecialTokensMapJson);
        Assert.Null(m.BpeVocab);
        Assert.Equal("{}", m.RequireConfigJson());
    }

    [Fact]
    public void PrefersSafetensorsAndFindsTheBpeVocab()
    {
        var dir = Dir("open_clip_pytorch_model.bin", "open_clip_model.safetensors", "bpe_simple_vocab_16e6.txt.gz");
        var m = HfModelDirectory.Open(dir);
        Assert.EndsWith("open_clip_model.safetensors", m.WeightsPath);
        Assert.EndsWith("bpe_simple_vocab_16e6.txt.gz", m.BpeVocab);
        Assert.Null(m.ConfigPath);
        var e = Assert.Throws<ClipSharpException>(() => m.RequireConfigJson());
        Assert.Contains("open_clip_config.json", e.Message);
    }

    [Fact]
    public void FallsBackToASingleWeightFileAndExplainsWhatItLookedFor()
    {
        Assert.EndsWith("epoch_32.pt", HfModelDirectory.Open(Dir("epoch_32.pt", "notes.txt")).WeightsPath);
        var empty = Assert.Throws<ClipSharpException>(() => HfModelDirectory.Open(Dir("vocab.txt")));
        Assert.Contains("open_clip_model.safetensors, open_clip_pytorch_model.bin", empty.Message);
        var two = Assert.Throws<ClipSharpException>(() => HfModelDirectory.Open(Dir("a.pt", "b.bin")));
        Assert.Contains("ambiguous", two.Message);
        Assert.Throws<ClipSharpException>(() => HfModelDirectory.Open(Path.Combine(TestPaths.NewTempDir(), "nope")));
    }
}
