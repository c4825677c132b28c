using System.Buffers.Binary;
using System.Globalization;
using ClipSharp.Core;

namespace ClipSharp.Inference;

/// <summary>
/// The exact index's two files. <c>vectors.f32</c>: a 16-byte header ("CSIX", version 1, dim, generation; all int32
/// little-endian) then float32 rows. The generation (0 in files written before it existed) counts compactions, so a
/// derived file (the approximate index) can tell that rows were removed since it was made. <c>entries.tsv</c>: path,
/// size and write ticks per line, in row order.
/// </summary>
internal static class IndexFiles
{
    public const int HeaderBytes = 16;
    private static readonly byte[] Magic = "CSIX"u8.ToArray();

    /// <summary>A header for <paramref name="dim"/>-d rows at <paramref name="generation"/>.</summary>
    public static byte[] Header(int dim, uint generation)
    {
        var header = new byte[HeaderBytes];
        Magic.CopyTo(header, 0);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), 1);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), dim);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), generation);
        return header;
    }

    /// <summary>The dim and generation in the header of <paramref name="vectors"/>; an error naming the file when it is not an index.</summary>
    public static (int Dim, uint Generation) ReadHeader(string vectors)
    {
        var head = new byte[HeaderBytes];
        using (var fs = File.OpenRead(vectors))
            if (fs.Read(head) != HeaderBytes || !head.AsSpan(0, 4).SequenceEqual(Magic))
                throw new ClipSharpException($"{vectors}: not a ClipSharp embedding index (bad header).");
        int dim = BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(8));
        if (dim <= 0) throw new ClipSharpException($"{vectors}: bad vector length {dim}.");
        return (dim, BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(12)));
    }

    /// <summary>
    /// Finishes or undoes a compaction a crash interrupted. A compaction writes <c>vectors.f32.tmp</c>, then
    /// <c>entries.tsv.tmp</c> (both complete), then renames the vectors, then the entries. Both temporaries present: the
    /// crash came before the first rename, the live pair is the old one: drop them. Only the entries' temporary
    /// present: the vectors were already renamed, so the new entries belong to them: rename it too. Only the vectors'
    /// temporary: an unfinished write: drop it. Without this, compacted rows would be read with the old entries and
    /// paths attached to the wrong vectors. Returns what it did, or null.
    /// </summary>
    public static string? RecoverCompaction(string vectorsPath, string entriesPath)
    {
        bool vTmp = File.Exists(vectorsPath + ".tmp"), eTmp = File.Exists(entriesPath + ".tmp");
        if (eTmp && !vTmp) { File.Move(entriesPath + ".tmp", entriesPath, overwrite: true); return "finished an interrupted compaction"; }
        if (vTmp) File.Delete(vectorsPath + ".tmp");
        if (eTmp) File.Delete(entriesPath + ".tmp");
        return vTmp || eTmp ? "dropped an unfinished compaction" : null;
    }

    /// <summary>Reads the entries, cutting an interrupted append (rows beyond the shorter of the two files).</summary>
    public static List<IndexEntry> LoadEntries(string entriesPath, string vectorsPath, int dim)
    {
        var entries = new List<IndexEntry>();
        int line = 0;
        foreach (var raw in File.ReadLines(entriesPath))
        {
            line++;
            if (raw.Length == 0) continue;
            var f = raw.Split('\t');
            if (f.Length != 3 || !long.TryParse(f[1], CultureInfo.InvariantCulture, out var size) || !long.TryParse(f[2], CultureInfo.InvariantCulture, out var ticks))
                throw new ClipSharpException($"{entriesPath}: line {line} is not \"path<TAB>size<TAB>ticks\".");
            entries.Add(new IndexEntry(f[0], size, ticks));
        }
        long rows = (new FileInfo(vectorsPath).Length - HeaderBytes) / (dim * 4L);
        if (rows != entries.Count)   // an interrupted write: keep the rows both files have
        {
            int n = (int)Math.Min(rows, entries.Count);
            entries.RemoveRange(n, entries.Count - n);
            using (var fs = new FileStream(vectorsPath, FileMode.Open, FileAccess.Write)) fs.SetLength(HeaderBytes + (long)n * dim * 4);
            File.WriteAllText(entriesPath, string.Concat(entries.Select(Line)));
        }
        return entries;
    }

    /// <summary>
    /// Writes <paramref name="vectorsPath"/>.tmp holding the header at <paramref name="generation"/> and the rows
    /// <paramref name="keep"/> (ascending) of <paramref name="vectorsPath"/>, copied in runs of consecutive rows.
    /// </summary>
    public static void WriteCompacted(string vectorsPath, IReadOnlyList<int> keep, int dim, uint generation)
    {
        using var src = new FileStream(vectorsPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        using var dst = new FileStream(vectorsPath + ".tmp", FileMode.Create, FileAccess.Write, FileShare.None, 1);
        var buf = new byte[1 << 20];
        dst.Write(Header(dim, generation));
        for (int r = 0; r < keep.Count;)
        {
            int end = r + 1;
            while (end < keep.Count && keep[end] == keep[end - 1] + 1) end++;
            CopyBytes(src, dst, HeaderBytes + (long)keep[r] * dim * 4, (long)(end - r) * dim * 4, buf);
            r = end;
        }
    }

    /// <summary>One entries.tsv line; a path with a tab or newline is an error.</summary>
    public static string Line(IndexEntry e)
    {
        if (e.Path.Contains('\t') || e.Path.Contains('\n')) throw new ClipSharpException($"{e.Path}: a path with a tab or newline cannot be indexed.");
        return string.Create(CultureInfo.InvariantCulture, $"{e.Path}\t{e.Size}\t{e.WriteTicks}\n");
    }

    private static void CopyBytes(FileStream src, FileStream dst, long offset, long length, byte[] buf)
    {
        src.Position = offset;
        while (length > 0)
        {
            int n = (int)Math.Min(buf.Length, length);
            src.ReadExactly(buf, 0, n);
            dst.Write(buf, 0, n);
            length -= n;
        }
    }
}
