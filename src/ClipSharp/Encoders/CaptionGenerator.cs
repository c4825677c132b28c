using ClipSharp.Core;
using ClipSharp.Modeling;
using ClipSharp.Modeling.Generation;
using ClipSharp.Text;
using static TorchSharp.torch;

namespace ClipSharp.Encoders;

/// <summary>
/// Captions from a CLIPS model as text: <see cref="CaptionSampler"/> chooses the ids (one captioner pass, see
/// <see cref="GenerationOptions"/> for spec ambiguity A1), <see cref="ITextTokenizer.Decode"/> turns them back into text
/// (WordPiece pieces joined, special ids dropped). Lives in Inference because Modeling knows nothing of tokenizers.
/// </summary>
public static class CaptionGenerator
{
    /// <summary>
    /// images (B, 3, H, W) on the model's device; webIds (B, L) the conditioning web captions in the CLIPS layout
    /// (null = an empty web caption per image, the usual inference case) → B captions.
    /// </summary>
    public static string[] Generate(ClipsModel model, Tensor images, Tensor? webIds, ITextTokenizer tokenizer, GenerationOptions? options = null) =>
        GenerateIds(model, images, webIds, tokenizer, options).Select(r => tokenizer.Decode(r)).ToArray();

    /// <summary>As <see cref="Generate"/>, but the chosen ids (cut before eos) instead of text.</summary>
    public static long[][] GenerateIds(ClipsModel model, Tensor images, Tensor? webIds, ITextTokenizer tokenizer, GenerationOptions? options = null)
    {
        options ??= GenerationOptions.Greedy;
        long b = images.shape[0];
        if (b == 0) return [];
        using var scope = NewDisposeScope();
        var web = webIds ?? EmptyWebIds(tokenizer, (int)b, images.device);
        if (web.shape[1] != model.ContextLength)
            throw new ClipSharpException($"Web-caption ids have {web.shape[1]} columns but the model's context length is {model.ContextLength}.");
        var logits = CaptionSampler.Logits(model, images, web);
        // pad, bos and (WordPiece) [CLS]/[SEP]/[MASK] are never caption targets.
        var suppress = new List<long> { tokenizer.PadId, tokenizer.BosId };
        if (tokenizer is ClipsWordPieceTokenizer)
            suppress.AddRange([WordPieceVocabulary.ClsId, WordPieceVocabulary.SepId, WordPieceVocabulary.MaskId]);
        return CaptionSampler.Choose(logits, options, tokenizer.EosId, tokenizer.VocabSize, suppress);
    }

    /// <summary>B rows of the empty caption in the tokenizer's layout (CLIPS: [bos][eos][pad]…[CLS]).</summary>
    public static Tensor EmptyWebIds(ITextTokenizer tokenizer, int count, Device? device = null)
    {
        var row = tokenizer.Encode("");
        return TokenRows.ToTensor(Enumerable.Repeat(row, count).ToList(), device);
    }
}
