using System.Text;

namespace ClipSharp.Text;

/// <summary>
/// The CLIPS text tokenizer: OpenCLIP's whitespace cleaner, BERT-base-uncased basic tokenization and greedy
/// longest-match WordPiece ("##" continuations; a word of more than 100 characters, or one that cannot be covered,
/// is [UNK]). Row layout for context length L (80 for the released models):
/// <c>[1 bos] + ids[:L-3] + [2 eos]</c>, 0-padded to L-1, then <c>[101 CLS]</c> at index L-1 (pooled by "last").
/// </summary>
public sealed class ClipsWordPieceTokenizer : ITextTokenizer
{
    /// <summary>Words longer than this many characters become [UNK].</summary>
    public const int MaxCharsPerWord = 100;

    private readonly WordPieceVocabulary _vocab;

    /// <summary>Creates the tokenizer; <paramref name="contextLength"/> is 80 for the released CLIPS models.</summary>
    public ClipsWordPieceTokenizer(WordPieceVocabulary vocabulary, int contextLength = 80)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(contextLength, 3);
        _vocab = vocabulary;
        ContextLength = contextLength;
    }

    /// <summary>Loads <c>vocab.txt</c>.</summary>
    public static ClipsWordPieceTokenizer FromFile(string vocabTxt, int contextLength = 80) =>
        new(WordPieceVocabulary.Load(vocabTxt), contextLength);

    /// <summary>The vocabulary.</summary>
    public WordPieceVocabulary Vocabulary => _vocab;

    /// <inheritdoc/>
    public int ContextLength { get; }

    /// <inheritdoc/>
    public int VocabSize => _vocab.Count;

    /// <inheritdoc/>
    public int BosId => WordPieceVocabulary.BosId;

    /// <inheritdoc/>
    public int EosId => WordPieceVocabulary.EosId;

    /// <inheritdoc/>
    public int PadId => WordPieceVocabulary.PadId;

    /// <inheritdoc/>
    public long[] Encode(string text)
    {
        var ids = new List<int>(ContextLength);
        AppendWordPieces(TextCleaner.Whitespace(text), ids, ContextLength - 3);
        return Frame(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ids));
    }

    /// <inheritdoc/>
    public int[] ContentIds(string text)
    {
        var ids = new List<int>(32);
        AppendWordPieces(TextCleaner.Whitespace(text), ids, int.MaxValue);
        return [.. ids];
    }

    /// <inheritdoc/>
    public long[] Frame(ReadOnlySpan<int> contentIds)
    {
        var row = new long[ContextLength];
        var n = Math.Min(contentIds.Length, ContextLength - 3);
        row[0] = WordPieceVocabulary.BosId;
        for (var i = 0; i < n; i++) row[1 + i] = contentIds[i];
        row[1 + n] = WordPieceVocabulary.EosId;
        row[ContextLength - 1] = WordPieceVocabulary.ClsId;
        return row;
    }

    /// <summary>
    /// Caption text of ids: pad/bos/eos/[CLS]/[SEP]/[MASK] dropped, "##" pieces joined to the previous piece, no space
    /// before closing punctuation or after opening brackets, none around apostrophes and hyphens.
    /// </summary>
    public string Decode(IEnumerable<long> ids)
    {
        var sb = new StringBuilder();
        var glueNext = true;
        foreach (var id in ids)
        {
            if (WordPieceVocabulary.IsControlId(id)) continue;
            var tok = _vocab.TokenOf((int)id);
            if (tok is null) continue;
            if (tok.StartsWith(WordPieceVocabulary.ContinuationPrefix, StringComparison.Ordinal) && sb.Length > 0)
            {
                sb.Append(tok, 2, tok.Length - 2);
                continue;
            }
            var glueLeft = tok is "." or "," or "!" or "?" or ";" or ":" or ")" or "]" or "}" or "%" or "'" or "-";
            if (sb.Length > 0 && !glueNext && !glueLeft) sb.Append(' ');
            sb.Append(tok);
            glueNext = tok is "(" or "[" or "{" or "$" or "'" or "-" or "#";
        }
        return sb.ToString();
    }

    /// <summary>
    /// Appends the word-piece ids of cleaned text until <paramref name="maxCount"/> ids are present. As in the HF
    /// tokenizers, the special tokens [UNK] [SEP] [CLS] [PAD] [MASK] written literally (case-sensitive) in the text
    /// are matched before normalization and give their own ids.
    /// </summary>
    internal void AppendWordPieces(string cleaned, List<int> output, int maxCount)
    {
        var segmentStart = 0;
        for (var i = cleaned.IndexOf('['); i >= 0 && i < cleaned.Length; i = cleaned.IndexOf('[', i + 1))
        {
            var special = MatchSpecial(cleaned.AsSpan(i));
            if (special.Id < 0) continue;
            AppendSegment(cleaned[segmentStart..i], output, maxCount);
            if (output.Count < maxCount) output.Add(special.Id);
            segmentStart = i + special.Length;
            i = segmentStart - 1;
        }
        AppendSegment(segmentStart == 0 ? cleaned : cleaned[segmentStart..], output, maxCount);
    }

    private (int Id, int Length) MatchSpecial(ReadOnlySpan<char> at)
    {
        foreach (var name in SpecialTokens)
        {
            if (!at.StartsWith(name, StringComparison.Ordinal)) continue;
            var id = _vocab.IdOf(name);
            if (id >= 0) return (id, name.Length);
        }
        return (-1, 0);
    }

    private static readonly string[] SpecialTokens = ["[UNK]", "[SEP]", "[CLS]", "[PAD]", "[MASK]"];

    private void AppendSegment(string segment, List<int> output, int maxCount)
    {
        if (segment.Length == 0 || output.Count >= maxCount) return;
        var normalized = BertBasicTokenizer.Normalize(segment);
        var words = new List<(int Start, int Length)>();
        BertBasicTokenizer.Split(normalized, words);
        Span<char> buffer = stackalloc char[2 + 2 * MaxCharsPerWord + 2];
        var pieces = new List<int>(8);
        foreach (var (start, length) in words)
        {
            if (output.Count >= maxCount) return;
            pieces.Clear();
            if (!TryWordPiece(normalized.AsSpan(start, length), buffer, pieces))
            {
                pieces.Clear();
                pieces.Add(WordPieceVocabulary.UnkId);
            }
            foreach (var p in pieces)
            {
                if (output.Count >= maxCount) return;
                output.Add(p);
            }
        }
    }

    // Greedy longest-match-first over the word's code points; false if a position cannot be matched.
    private bool TryWordPiece(ReadOnlySpan<char> word, Span<char> buffer, List<int> pieces)
    {
        if (word.Length > MaxCharsPerWord && CountRunes(word) > MaxCharsPerWord) return false;
        var lookup = _vocab.Lookup;
        var start = 0;
        while (start < word.Length)
        {
            var end = word.Length;
            var found = -1;
            while (end > start)
            {
                ReadOnlySpan<char> candidate;
                if (start == 0) candidate = word[..end];
                else
                {
                    buffer[0] = '#'; buffer[1] = '#';
                    word[start..end].CopyTo(buffer[2..]);
                    candidate = buffer[..(2 + end - start)];
                }
                if (lookup.TryGetValue(candidate, out var id)) { found = id; break; }
                end--;
                if (end > start && char.IsLowSurrogate(word[end])) end--; // stay on code point boundaries
            }
            if (found < 0) return false;
            pieces.Add(found);
            start = end;
        }
        return true;
    }

    private static int CountRunes(ReadOnlySpan<char> s)
    {
        var n = 0;
        foreach (var c in s) if (!char.IsLowSurrogate(c)) n++;
        return n;
    }
}
