using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ClipSharp.Core;

namespace ClipSharp.Text;

/// <summary>
/// Makes a folder that holds a CLIPS-layout WordPiece <c>vocab.txt</c> loadable by OpenCLIP's <c>HFTokenizer</c>
/// (Hugging Face <c>AutoTokenizer.from_pretrained(folder)</c>): <c>tokenizer_config.json</c> (a lower-casing
/// <c>BertTokenizer</c>; transformers builds the fast tokenizer from vocab.txt) and <c>special_tokens_map.json</c>, with
/// bos/eos/pad/cls at the ids the CLIPS layout uses (1, 2, 0, 101), and the matching <c>text_cfg</c> entries for
/// open_clip_config.json (<c>tokenizer_mode: "clips"</c>, the special tokens also in <c>tokenizer_kwargs</c>).
/// </summary>
public static class HfTokenizerFiles
{
    /// <summary>The tokenizer config file name.</summary>
    public const string ConfigName = "tokenizer_config.json";

    /// <summary>The special tokens file name.</summary>
    public const string SpecialTokensName = "special_tokens_map.json";

    /// <summary>MD5 of bert-base-uncased's vocab.txt (30,522 lines; also the CLIPS release's vocab.txt).</summary>
    public const string BertBaseUncasedMd5 = "64800d5d8528ce344256daf115d4965e";

    /// <summary>OpenCLIP's <c>tokenizer_mode</c> for the CLIPS layout ([bos] ids [eos] pad.. [CLS]).</summary>
    public const string ClipsMode = "clips";

    /// <summary>
    /// <c>hf_tokenizer_name</c> of a model whose vocabulary is its own: the folder itself. OpenCLIP's <c>local-dir:</c>
    /// loads the tokenizer from the folder whatever the name; for a Hub upload set it to the repository id.
    /// </summary>
    public const string OwnFolderName = "./";

    /// <summary>Special token role (Hugging Face name) to id in the CLIPS layout.</summary>
    public static readonly IReadOnlyList<(string Role, int Id)> SpecialTokenIds =
    [
        ("bos_token", WordPieceVocabulary.BosId), ("eos_token", WordPieceVocabulary.EosId),
        ("unk_token", WordPieceVocabulary.UnkId), ("sep_token", WordPieceVocabulary.SepId),
        ("pad_token", WordPieceVocabulary.PadId), ("cls_token", WordPieceVocabulary.ClsId),
        ("mask_token", WordPieceVocabulary.MaskId),
    ];

    /// <summary>True when the file is bert-base-uncased's vocab.txt byte for byte.</summary>
    public static bool IsBertBaseUncased(string vocabPath)
    {
        using var f = File.OpenRead(vocabPath);
        return Convert.ToHexStringLower(MD5.HashData(f)) == BertBaseUncasedMd5;
    }

    /// <summary>The special tokens of a vocabulary: role to the token at the role's id.</summary>
    public static JsonObject SpecialTokens(WordPieceVocabulary vocab)
    {
        if (vocab.Count <= WordPieceVocabulary.MaskId)
            throw new ClipSharpException($"A CLIPS WordPiece vocabulary needs ids 0..{WordPieceVocabulary.MaskId}; this one has {vocab.Count} tokens.");
        var o = new JsonObject();
        foreach (var (role, id) in SpecialTokenIds) o[role] = vocab.TokenOf(id);
        return o;
    }

    /// <summary>Writes tokenizer_config.json and special_tokens_map.json into <paramref name="directory"/>.</summary>
    public static void Write(string directory, WordPieceVocabulary vocab, int contextLength, Action<string, string> writeFile)
    {
        var config = new JsonObject
        {
            ["tokenizer_class"] = "BertTokenizer",
            ["do_lower_case"] = true,
            ["do_basic_tokenize"] = true,
            ["tokenize_chinese_chars"] = true,
            ["strip_accents"] = null,
            ["clean_up_tokenization_spaces"] = true,
            ["model_max_length"] = contextLength,
            ["padding_side"] = "right",
        };
        foreach (var (role, token) in SpecialTokens(vocab)) config[role] = token!.DeepClone();
        var indented = new System.Text.Json.JsonSerializerOptions { WriteIndented = true };
        writeFile(Path.Combine(directory, ConfigName), config.ToJsonString(indented));
        writeFile(Path.Combine(directory, SpecialTokensName), SpecialTokens(vocab).ToJsonString(indented));
    }

    /// <summary>
    /// Sets a text_cfg for the folder's own tokenizer files: <c>tokenizer_mode</c> "clips", <c>hf_tokenizer_name</c>
    /// "bert-base-uncased" when the vocabulary is that one (a Hub copy then tokenizes right too) or
    /// <see cref="OwnFolderName"/>, and bos/eos tokens in <c>tokenizer_kwargs</c> (passed on to AutoTokenizer).
    /// </summary>
    public static void AdaptTextConfig(JsonObject textCfg, WordPieceVocabulary vocab, bool isBertBaseUncased)
    {
        textCfg["hf_tokenizer_name"] = isBertBaseUncased ? "bert-base-uncased" : OwnFolderName;
        textCfg["tokenizer_mode"] = ClipsMode;
        var kwargs = textCfg["tokenizer_kwargs"] as JsonObject ?? new JsonObject();
        var special = SpecialTokens(vocab);
        kwargs["bos_token"] = special["bos_token"]!.DeepClone();
        kwargs["eos_token"] = special["eos_token"]!.DeepClone();
        textCfg["tokenizer_kwargs"] = kwargs;
    }
}
