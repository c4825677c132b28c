using System.Buffers;
using System.Collections.Concurrent;
using System.Text;

namespace ClipSharp.Text;

/// <summary>
/// OpenAI CLIP byte-level BPE, id-for-id as OpenCLIP's <c>SimpleTokenizer</c>: clean (ftfy, html.unescape x2,
/// whitespace collapse, lower-case), split with CLIP's pre-tokenizer pattern, map each piece's UTF-8 bytes to
/// symbols and apply the BPE merges (results cached per piece). Row layout: [sot] + ids + [eot], 0-padded to the
/// context length; a longer row is cut to the context length with eot kept at the last slot.
/// </summary>
public sealed class ClipBpeTokenizer : ITextTokenizer
{
    private const int CacheLimit = 1 << 20;
    private readonly ClipBpeVocabulary _vocab;
    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _cacheBySpan;

    /// <summary>Creates the tokenizer over a loaded vocabulary; <paramref name="contextLength"/> 77 (CLIP) or 76 (CoCa).</summary>
    public ClipBpeTokenizer(ClipBpeVocabulary vocabulary, int contextLength = 77)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(contextLength, 2);
        _vocab = vocabulary;
        ContextLength = contextLength;
        _cacheBySpan = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
        _cache[vocabulary.StartToken] = [vocabulary.StartId];
        _cache[vocabulary.EndToken] = [vocabulary.EndId];
    }

    /// <summary>Loads OpenCLIP's <c>bpe_simple_vocab_16e6.txt.gz</c>.</summary>
    public static ClipBpeTokenizer FromOpenClipFile(string gzPath, int contextLength = 77) =>
        new(ClipBpeVocabulary.LoadOpenClip(gzPath), contextLength);

    /// <summary>Loads a Hugging Face <c>vocab.json</c> + <c>merges.txt</c> pair.</summary>
    public static ClipBpeTokenizer FromHuggingFaceFiles(string vocabJson, string mergesTxt, int contextLength = 77) =>
        new(ClipBpeVocabulary.LoadHuggingFace(vocabJson, mergesTxt), contextLength);

    /// <summary>The vocabulary.</summary>
    public ClipBpeVocabulary Vocabulary => _vocab;

    /// <inheritdoc/>
    public int ContextLength { get; }

    /// <inheritdoc/>
    public int VocabSize => _vocab.Count;

    /// <inheritdoc/>
    public int BosId => _vocab.StartId;

    /// <inheritdoc/>
    public int EosId => _vocab.EndId;

    /// <inheritdoc/>
    public int PadId => 0;

    /// <inheritdoc/>
    public long[] Encode(string text)
    {
        // Only the first ContextLength-2 content ids can reach the row; stop tokenizing there.
        var ids = new List<int>(ContextLength);
        AppendContentIds(TextCleaner.Lower(text), ids, ContextLength - 1);
        return Frame(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ids));
    }

    /// <inheritdoc/>
    public int[] ContentIds(string text)
    {
        var ids = new List<int>(32);
        AppendContentIds(TextCleaner.Lower(text), ids, int.MaxValue);
        return [.. ids];
    }

    /// <inheritdoc/>
    public long[] Frame(ReadOnlySpan<int> contentIds)
    {
        var row = new long[ContextLength];
        row[0] = _vocab.StartId;
        var n = Math.Min(contentIds.Length, ContextLength - 2);
        for (var i = 0; i < n; i++) row[1 + i] = contentIds[i];
        row[1 + n] = _vocab.EndId;
        return row;
    }

    /// <summary>Text of ids: sot is skipped, decoding stops at the first eot (what follows is padding).</summary>
    public string Decode(IEnumerable<long> ids)
    {
        var bytes = new List<byte>();
        var decoder = ByteDecoder.Value;
        foreach (var id in ids)
        {
            if (id == _vocab.StartId) continue;
            if (id == _vocab.EndId) break;
            var tok = _vocab.TokenOf((int)id);
            if (tok is null) continue;
            var word = tok.EndsWith(ClipBpeVocabulary.EndOfWord, StringComparison.Ordinal);
            foreach (var c in word ? tok[..^ClipBpeVocabulary.EndOfWord.Length] : tok)
                if (decoder.TryGetValue(c, out var b)) bytes.Add(b);
            if (word) bytes.Add((byte)' ');
        }
        return Encoding.UTF8.GetString(bytes.ToArray()).Trim();
    }

    private static readonly Lazy<Dictionary<char, byte>> ByteDecoder = new(() =>
        Enumerable.Range(0, 256).ToDictionary(b => ClipBpeVocabulary.ByteEncoder[b], b => (byte)b));

    /// <summary>
    /// Content ids of already-cleaned text, appended to <paramref name="output"/> until it holds
    /// <paramref name="maxCount"/> ids (pieces are produced left to right, so a prefix is exact).
    /// </summary>
    internal void AppendContentIds(string cleaned, List<int> output, int maxCount)
    {
        var pos = 0;
        while (output.Count < maxCount && ClipPreTokenizer.Next(cleaned, ref pos, _vocab.StartToken, _vocab.EndToken, out var start, out var length))
        {
            var piece = cleaned.AsSpan(start, length);
            if (!_cacheBySpan.TryGetValue(piece, out var ids))
            {
                ids = Bpe(piece);
                if (_cache.Count < CacheLimit) _cacheBySpan.TryAdd(piece, ids);
            }
            var take = Math.Min(ids.Length, maxCount - output.Count);
            for (var i = 0; i < take; i++) output.Add(ids[i]);
        }
    }

    // Byte-level BPE over symbol ids: repeatedly merge every occurrence (left to right) of the lowest-ranked pair.
    private int[] Bpe(ReadOnlySpan<char> piece)
    {
        var byteCount = Encoding.UTF8.GetByteCount(piece);
        var rented = ArrayPool<byte>.Shared.Rent(byteCount);
        var symbols = new int[byteCount];
        try
        {
            Encoding.UTF8.GetBytes(piece, rented);
            for (var i = 0; i < byteCount; i++)
                symbols[i] = i == byteCount - 1 ? _vocab.ByteSymbolEndIds[rented[i]] : _vocab.ByteSymbolIds[rented[i]];
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
        if (byteCount > LongPieceBpe.MinLength) return LongPieceBpe.Merge(symbols, _vocab); // O(n log n), same result
        var n = byteCount;
        while (n > 1)
        {
            int bestRank = int.MaxValue, bestLeft = -1, bestRight = -1, bestMerged = -1;
            for (var i = 0; i < n - 1; i++)
            {
                if (_vocab.TryMerge(symbols[i], symbols[i + 1], out var rank, out var merged) && rank < bestRank)
                {
                    (bestRank, bestLeft, bestRight, bestMerged) = (rank, symbols[i], symbols[i + 1], merged);
                }
            }
            if (bestMerged < 0) break;
            var w = 0;
            for (var r = 0; r < n;)
            {
                if (r < n - 1 && symbols[r] == bestLeft && symbols[r + 1] == bestRight)
                {
                    symbols[w++] = bestMerged;
                    r += 2;
                }
                else symbols[w++] = symbols[r++];
            }
            n = w;
        }
        return n == symbols.Length ? symbols : symbols[..n];
    }
}
