namespace ClipSharp.Text;

/// <summary>
/// A text tokenizer as the rest of the library sees it: text to fixed-length id rows in the model's layout.
/// Implementations are immutable after construction and safe to call from several threads.
/// </summary>
public interface ITextTokenizer
{
    /// <summary>Row length of <see cref="Encode"/> (77 for CLIP, 76 for CoCa, 80 for CLIPS).</summary>
    int ContextLength { get; }

    /// <summary>Number of entries in the vocabulary file (the model's embedding table may be larger).</summary>
    int VocabSize { get; }

    /// <summary>Start-of-sequence id (CLIP BPE 49406, CLIPS bos 1).</summary>
    int BosId { get; }

    /// <summary>End-of-sequence id (CLIP BPE 49407, CLIPS eos 2).</summary>
    int EosId { get; }

    /// <summary>Padding id (0 for both).</summary>
    int PadId { get; }

    /// <summary>One row of <see cref="ContextLength"/> ids: cleaning, tokenization and the model's layout.</summary>
    long[] Encode(string text);

    /// <summary><see cref="Encode"/> for each text: (texts.Count) rows of <see cref="ContextLength"/>.</summary>
    long[][] EncodeBatch(IReadOnlyList<string> texts)
    {
        var rows = new long[texts.Count][];
        for (var i = 0; i < rows.Length; i++) rows[i] = Encode(texts[i]);
        return rows;
    }

    /// <summary>Content ids of the cleaned text: word-pieces or BPE tokens, untruncated, without special ids.</summary>
    int[] ContentIds(string text);

    /// <summary>
    /// Puts content ids (e.g. a reduced caption) into the model's row layout of <see cref="ContextLength"/>,
    /// truncating as <see cref="Encode"/> does. <c>Frame(ContentIds(t))</c> equals <c>Encode(t)</c>.
    /// </summary>
    long[] Frame(ReadOnlySpan<int> contentIds);

    /// <summary>Text of ids: special and padding ids are skipped, sub-word pieces joined.</summary>
    string Decode(IEnumerable<long> ids);
}
