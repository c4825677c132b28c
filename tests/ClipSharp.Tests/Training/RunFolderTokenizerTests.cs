using System.Text.Json.Nodes;
using ClipSharp.Modeling;
using ClipSharp.Tests.Parity;
using ClipSharp.Tests.Support;
using ClipSharp.Text;
using ClipSharp.Training.Runs;

namespace ClipSharp.Tests.Training;

/// <summary>
/// A run folder of a WordPiece (CLIPS-layout) model is a tokenizer folder for OpenCLIP's <c>local-dir:</c>:
/// <c>get_tokenizer</c> takes text_cfg's tokenizer_kwargs, tokenizer_mode and context_length and hands the folder to
/// HFTokenizer, i.e. transformers' <c>AutoTokenizer.from_pretrained(folder, **kwargs)</c>, which needs
/// tokenizer_config.json (the class) and finds the special tokens there; the CLIPS mode then reads bos/eos/cls/pad ids
/// from the tokenizer. These tests read the files ClipSharp writes.
/// </summary>
public class RunFolderTokenizerTests
{
    private static (string Run, JsonNode Config) Describe(string vocab)
    {
        var run = Path.Combine(TestPaths.NewTempDir("run-tokenizer"), "run");
        var recipe = TrainingWorld.Recipe("clips");
        var model = ModelFactory.LoadConfig(recipe.Model);
        new RunDirectory(run).WriteDescription(recipe, model, RunDirectory.Preprocess(model), vocab);
        return (run, JsonNode.Parse(File.ReadAllText(Path.Combine(run, "open_clip_config.json")))!);
    }

    private static JsonNode Read(string run, string name) => JsonNode.Parse(File.ReadAllText(Path.Combine(run, name)))!;

    [Fact]
    public void OwnVocabularyFolderHasTheHfTokenizerFilesAndClipsMode()
    {
        var (run, config) = Describe(Path.Combine(TrainingWorld.World, "vocab.txt"));
        var tc = Read(run, "tokenizer_config.json");
        Assert.Equal("BertTokenizer", (string?)tc["tokenizer_class"]);
        Assert.True((bool)tc["do_lower_case"]!);
        Assert.True((bool)tc["tokenize_chinese_chars"]!);
        Assert.Null(tc["strip_accents"]);                     // follows lower-casing, as CLIPS's BertWordPieceTokenizer
        Assert.Equal(24, (int)tc["model_max_length"]!);       // the tiny config's context_length
        var lines = File.ReadAllLines(Path.Combine(run, "vocab.txt"));
        var special = Read(run, "special_tokens_map.json").AsObject();
        Assert.Equal(7, special.Count);
        foreach (var (role, id) in HfTokenizerFiles.SpecialTokenIds)
        {
            Assert.Equal(lines[id], (string?)special[role]);  // the token at the CLIPS id (bos 1, eos 2, cls 101, pad 0)
            Assert.Equal(lines[id], (string?)tc[role]);
        }
        Assert.Equal(["[PAD]", "[unused0]", "[unused1]", "[CLS]"], new[] { special["pad_token"], special["bos_token"], special["eos_token"], special["cls_token"] }.Select(t => (string?)t));
        var text = config["model_cfg"]!["text_cfg"]!;
        Assert.Equal("clips", (string?)text["tokenizer_mode"]);
        Assert.Equal("./", (string?)text["hf_tokenizer_name"]);   // not bert-base-uncased: the vocabulary is the model's own
        Assert.Equal("[unused0]", (string?)text["tokenizer_kwargs"]!["bos_token"]);
        Assert.Equal("[unused1]", (string?)text["tokenizer_kwargs"]!["eos_token"]);
    }

    [Fact]
    public void ClipSharpLoadsTheFolderItWroteWithTheSameTokenizer()
    {
        var vocab = Path.Combine(TrainingWorld.World, "vocab.txt");
        var (run, _) = Describe(vocab);
        var cfg = ModelFactory.LoadConfig(run).Model.Text;
        var tok = TokenizerFactory.Create(new TokenizerSpec(cfg.HfTokenizerName, run, cfg.ContextLength) { TokenizerMode = cfg.TokenizerMode });
        var direct = ClipsWordPieceTokenizer.FromFile(vocab, 24);
        Assert.IsType<ClipsWordPieceTokenizer>(tok);
        Assert.Equal(direct.Encode("a red circle above a blue square."), tok.Encode("a red circle above a blue square."));
    }

    [SharedFact]
    public void BertBaseUncasedVocabularyKeepsTheHubName()
    {
        var (run, config) = Describe(TokenizerFixtures.ClipsVocab);  // bert-base-uncased's vocab.txt (md5 64800d5d...)
        var text = config["model_cfg"]!["text_cfg"]!;
        Assert.Equal("bert-base-uncased", (string?)text["hf_tokenizer_name"]);
        Assert.Equal("clips", (string?)text["tokenizer_mode"]);
        Assert.Equal("[unused0]", (string?)text["tokenizer_kwargs"]!["bos_token"]);  // AutoTokenizer kwargs: the Hub tokenizer gets bos/eos too
        Assert.Equal("[CLS]", (string?)Read(run, "special_tokens_map.json")["cls_token"]);
        Assert.Equal(File.ReadAllBytes(TokenizerFixtures.ClipsVocab), File.ReadAllBytes(Path.Combine(run, "vocab.txt")));
    }

    [SharedFact]
    public void BpeModelsGetNoHfTokenizerFiles()
    {
        var run = Path.Combine(TestPaths.NewTempDir("run-bpe"), "run");
        var recipe = TrainingWorld.Recipe("clips");
        var model = ModelFactory.LoadConfig("test-clip-tiny");
        new RunDirectory(run).WriteDescription(recipe, model, RunDirectory.Preprocess(model), TokenizerFixtures.BpeGz);
        Assert.False(File.Exists(Path.Combine(run, "tokenizer_config.json")));
        Assert.True(File.Exists(Path.Combine(run, "bpe_simple_vocab_16e6.txt.gz")));
        Assert.Null(JsonNode.Parse(File.ReadAllText(Path.Combine(run, "open_clip_config.json")))!["model_cfg"]!["text_cfg"]!["tokenizer_mode"]);
    }
}
