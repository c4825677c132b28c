using System.Security.Cryptography;
using System.Text;
using ClipSharp.Inference;

namespace ClipSharp.Serving;

/// <summary>
/// Stable, opaque item ids: the first 16 hex digits of SHA-256 of the indexed path, and the id → row table of the
/// index as it stands (rebuilt after every write). An id never names a file, so a hostile id can only miss.
/// </summary>
public sealed class ItemIds
{
    private sealed record Table(Dictionary<string, int> Rows, IReadOnlyList<IndexEntry> Entries);

    private Table _table = new(new Dictionary<string, int>(StringComparer.Ordinal), []);

    /// <summary>The id of an indexed path.</summary>
    public static string Of(string path) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(path)).AsSpan(0, 8));

    /// <summary>True when <paramref name="id"/> has the shape of an id (16 lower-case hex digits).</summary>
    public static bool IsWellFormed(string id) => id.Length == 16 && id.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    /// <summary>Number of items.</summary>
    public int Count => Volatile.Read(ref _table).Entries.Count;

    /// <summary>Replaces the table with the index's current entries (in row order).</summary>
    public void Rebuild(IReadOnlyList<IndexEntry> entries)
    {
        var rows = new Dictionary<string, int>(entries.Count, StringComparer.Ordinal);
        for (int i = 0; i < entries.Count; i++) rows[Of(entries[i].Path)] = i;
        Volatile.Write(ref _table, new Table(rows, entries));   // one reference: a reader sees the old table or the new one
    }

    /// <summary>The row and entry of <paramref name="id"/>, or null.</summary>
    public (int Row, IndexEntry Entry)? Lookup(string id)
    {
        var t = Volatile.Read(ref _table);
        return t.Rows.TryGetValue(id, out var row) ? (row, t.Entries[row]) : null;
    }

    /// <summary>A page of entries in row order.</summary>
    public IReadOnlyList<IndexEntry> Page(int offset, int limit) => Volatile.Read(ref _table).Entries.Skip(offset).Take(limit).ToList();
}
