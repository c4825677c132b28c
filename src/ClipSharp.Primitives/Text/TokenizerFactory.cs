using ClipSharp.Core;

namespace ClipSharp.Text;

/// <summary>
/// Builds the tokenizer a model needs from its text config values. A BERT uncased name (CLIPS, "bert-base-uncased")
/// or <c>tokenizer_mode</c> "clips" (a run folder, or a Hub copy naming itself) gives <see cref="ClipsWordPieceTokenizer"/>
/// over <c>vocab.txt</c>; no name gives <see cref="ClipBpeTokenizer"/> over
/// <c>bpe_simple_vocab_16e6.txt.gz</c> or a Hugging Face <c>vocab.json</c> + <c>merges.txt</c>. Any other Hugging Face
/// tokenizer name is refused with a clear error.
/// </summary>
public static class TokenizerFactory
{
    /// <summary>File names looked for in a vocabulary directory, per tokenizer family.</summary>
    public static readonly IReadOnlyList<string> WordPieceFiles = ["vocab.txt"];

    /// <inheritdoc cref="WordPieceFiles"/>
    public static readonly IReadOnlyList<string> BpeFiles = ["bpe_simple_vocab_16e6.txt.gz", "vocab.json"];

    /// <summary>True when the name selects BERT uncased WordPiece (the CLIPS tokenizer).</summary>
    public static bool IsWordPiece(string? hfTokenizerName) =>
        hfTokenizerName is { Length: > 0 } n && n.Contains("bert", StringComparison.OrdinalIgnoreCase)
                                             && n.Contains("uncased", StringComparison.OrdinalIgnoreCase);

    /// <summary>Creates the tokenizer; throws a ClipSharpException when the vocabulary cannot be found or read.</summary>
    public static ITextTokenizer Create(TokenizerSpec spec)
    {
        if (spec.ContextLength < 3)
            throw new ClipSharpException($"Text context length {spec.ContextLength} is too small for a tokenizer (at least 3).");
        if (IsWordPiece(spec.HfTokenizerName) || spec.TokenizerMode == HfTokenizerFiles.ClipsMode)
            return ClipsWordPieceTokenizer.FromFile(Resolve(spec.VocabPath, WordPieceFiles, "BERT WordPiece"), spec.ContextLength);
        if (spec.HfTokenizerName is { Length: > 0 } other)
            throw new ClipSharpException(
                $"Tokenizer \"{other}\" is not supported; ClipSharp has CLIP BPE (no hf_tokenizer_name) and BERT uncased WordPiece (\"bert-base-uncased\").");
        var file = Resolve(spec.VocabPath, BpeFiles, "CLIP BPE");
        if (file.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            var merges = Path.Combine(Path.GetDirectoryName(file) ?? ".", "merges.txt");
            if (!File.Exists(merges))
                throw new ClipSharpException($"Found {file} but no merges.txt beside it for the CLIP BPE tokenizer.");
            return ClipBpeTokenizer.FromHuggingFaceFiles(file, merges, spec.ContextLength);
        }
        return ClipBpeTokenizer.FromOpenClipFile(file, spec.ContextLength);
    }

    /// <summary>The vocabulary file <see cref="Create"/> reads for <paramref name="spec"/> (a folder resolved to its file).</summary>
    public static string VocabFile(TokenizerSpec spec) =>
        IsWordPiece(spec.HfTokenizerName) || spec.TokenizerMode == HfTokenizerFiles.ClipsMode
            ? Resolve(spec.VocabPath, WordPieceFiles, "BERT WordPiece")
            : Resolve(spec.VocabPath, BpeFiles, "CLIP BPE");

    // A file path is taken as is; a directory is searched for the first of the candidate names.
    private static string Resolve(string path, IReadOnlyList<string> names, string family)
    {
        if (File.Exists(path)) return path;
        if (Directory.Exists(path))
        {
            foreach (var n in names)
            {
                var f = Path.Combine(path, n);
                if (File.Exists(f)) return f;
            }
            throw new ClipSharpException(
                $"No {family} vocabulary in {path}: looked for {string.Join(", ", names)}.");
        }
        throw new ClipSharpException(
            $"The {family} vocabulary path {path} does not exist (expected a file or a directory holding {string.Join(" or ", names)}).");
    }
}
