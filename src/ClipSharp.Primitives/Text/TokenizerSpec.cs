namespace ClipSharp.Text;

/// <summary>
/// What a model's text config says about its tokenizer, plus where the vocabulary lives.
/// </summary>
/// <param name="HfTokenizerName">OpenCLIP <c>text_cfg.hf_tokenizer_name</c> ("bert-base-uncased" for CLIPS), or
/// null/empty for OpenAI CLIP BPE.</param>
/// <param name="VocabPath">A vocabulary file (vocab.txt, bpe_simple_vocab_16e6.txt.gz, vocab.json) or a directory
/// holding one (for vocab.json, merges.txt sits beside it).</param>
/// <param name="ContextLength">Row length (<c>text_cfg.context_length</c>): 77 CLIP, 76 CoCa, 80 CLIPS.</param>
public sealed record TokenizerSpec(string? HfTokenizerName, string VocabPath, int ContextLength)
{
    /// <summary>OpenCLIP <c>text_cfg.tokenizer_mode</c>: "clips" selects the CLIPS WordPiece tokenizer whatever the name.</summary>
    public string? TokenizerMode { get; init; }
}
