namespace ClipSharp.Text;

/// <summary>
/// The BPE merges of one long piece in O(n log n), with the same result as <see cref="ClipBpeTokenizer"/>'s pass loop
/// (merge every occurrence of the lowest-ranked pair left to right, repeat), which is O(n^2): a 60,000-letter word
/// from a web caption took about 20 s of CPU (found by fuzzing). Pairs are taken from a heap by (rank, position). The
/// order is the pass loop's because a merged symbol's pairs always rank after the merge that made it (a merge is only
/// learned once its parts exist, and each token is made by one merge), so ranks leave the heap in non-decreasing
/// order and, within a rank, left to right; entries made stale by an earlier merge are skipped.
/// </summary>
internal static class LongPieceBpe
{
    /// <summary>Pieces of more UTF-8 bytes than this take the heap; shorter ones stay on the (faster for them) pass loop.</summary>
    public const int MinLength = 256;

    /// <summary>Merges <paramref name="symbols"/> (byte symbol ids, the last with its end-of-word form) in place and
    /// returns the merged ids.</summary>
    public static int[] Merge(int[] symbols, ClipBpeVocabulary vocab)
    {
        int n = symbols.Length;
        var next = new int[n];
        var prev = new int[n];
        for (int i = 0; i < n; i++) (next[i], prev[i]) = (i + 1, i - 1);
        var heap = new PriorityQueue<int, long>(n);
        void Push(int i)
        {
            if (i >= 0 && next[i] < n && vocab.TryMerge(symbols[i], symbols[next[i]], out var rank, out _))
                heap.Enqueue(i, ((long)rank << 32) | (uint)i);
        }
        for (int i = 0; i < n - 1; i++) Push(i);
        while (heap.TryDequeue(out var i, out var key))
        {
            if (symbols[i] < 0 || next[i] >= n) continue; // merged away, or now the last symbol
            int j = next[i];
            if (!vocab.TryMerge(symbols[i], symbols[j], out var rank, out var merged) || rank != (int)(key >> 32)) continue; // stale
            symbols[i] = merged;
            symbols[j] = -1;
            next[i] = next[j];
            if (next[j] < n) prev[next[j]] = i;
            Push(prev[i]);
            Push(i);
        }
        var result = new List<int>();
        for (int i = 0; i < n; i = next[i]) result.Add(symbols[i]); // symbol 0 is never merged away (merges keep the left index)
        return [.. result];
    }
}
