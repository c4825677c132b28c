using System.Buffers;
using System.Text;

namespace ClipSharp.Data.Sources;

/// <summary>
/// A forward-only tar reader for webdataset shards that reports damage precisely instead of failing vaguely: ustar
/// and old-GNU headers, pax <c>path</c> records and GNU long names, base-256 sizes; directories, links and other
/// special entries are skipped. Header checksums are verified. Damage raises <see cref="TarReadException"/>: a member
/// whose data the file's end cuts off (truncated_member), a file that ends inside a header (truncated_shard), or a
/// header with a bad checksum or size (corrupt_shard). A missing end-of-archive marker is accepted.
/// </summary>
public sealed class TarStreamReader : IDisposable
{
    private const int Block = 512;
    /// <summary>Members larger than this are treated as a corrupt header (no image or caption is 1 GiB).</summary>
    public const long MaxMemberBytes = 1L << 30;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly byte[] _header = new byte[Block];
    private bool _ended;

    /// <summary>Reads from <paramref name="stream"/>.</summary>
    public TarStreamReader(Stream stream, bool leaveOpen = false)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
    }

    /// <summary>The next regular file, or null at the end of the archive.</summary>
    public TarMember? Next()
    {
        string? longName = null;
        while (!_ended)
        {
            int got = ReadFully(_header, Block);
            if (got == 0) { _ended = true; return null; }
            if (got < Block) throw Fail(Reasons.TruncatedShard, null, $"the file ends inside a tar header ({got} of 512 bytes)");
            if (IsZero(_header)) { _ended = true; return null; }
            if (!ChecksumOk(_header)) throw Fail(Reasons.CorruptShard, null, "a tar header has a wrong checksum");
            long size = ParseSize(_header);
            if (size < 0 || size > MaxMemberBytes) throw Fail(Reasons.CorruptShard, null, $"a tar header gives an invalid member size ({size})");
            char type = (char)_header[156];
            string name = longName ?? HeaderName(_header);
            longName = null;
            switch (type)
            {
                case '0' or '\0' or '7':
                    var data = ReadData(size, name);
                    return new TarMember(name, data);
                case 'x': // pax extended header for the next entry
                    longName = PaxPath(ReadData(size, "(pax header)")) ?? longName;
                    break;
                case 'L': // GNU long name for the next entry
                    longName = Encoding.UTF8.GetString(ReadData(size, "(GNU long name)")).TrimEnd('\0');
                    break;
                default: // directories, links, global pax headers, ...
                    ReadData(size, name);
                    break;
            }
        }
        return null;
    }

    private byte[] ReadData(long size, string name)
    {
        // a header may claim up to MaxMemberBytes: refuse a claim the file cannot hold before allocating it
        if (_stream.CanSeek && _stream.Length - _stream.Position is var left && size > left)
        {
            _stream.Seek(0, SeekOrigin.End);
            throw Fail(Reasons.TruncatedMember, name, $"member \"{name}\" is cut off after {Math.Max(0, left)} of {size} bytes");
        }
        var data = new byte[size];
        int got = ReadFully(data, (int)size);
        if (got < size) throw Fail(Reasons.TruncatedMember, name, $"member \"{name}\" is cut off after {got} of {size} bytes");
        int pad = (int)((Block - size % Block) % Block);
        if (pad > 0)
        {
            var buf = ArrayPool<byte>.Shared.Rent(Block);
            if (ReadFully(buf, pad) < pad) _ended = true; // data complete, padding missing: end of a cut archive
            ArrayPool<byte>.Shared.Return(buf);
        }
        return data;
    }

    private static TarReadException Fail(string reason, string? member, string message) => new(reason, member, message);

    private int ReadFully(byte[] buffer, int count)
    {
        int total = 0;
        while (total < count)
        {
            int n = _stream.Read(buffer, total, count - total);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private static bool IsZero(byte[] h)
    {
        foreach (var b in h) if (b != 0) return false;
        return true;
    }

    private static bool ChecksumOk(byte[] h)
    {
        long stored = ParseOctal(h.AsSpan(148, 8));
        long sum = 0;
        for (int i = 0; i < Block; i++) sum += i is >= 148 and < 156 ? (byte)' ' : h[i];
        return stored == sum;
    }

    private static long ParseSize(byte[] h)
    {
        var f = h.AsSpan(124, 12);
        if ((f[0] & 0x80) != 0) // base-256 (GNU) for sizes >= 8 GiB
        {
            long v = f[0] & 0x7F;
            for (int i = 1; i < f.Length; i++) { if (v > (long.MaxValue >> 8)) return -1; v = (v << 8) | f[i]; }
            return v;
        }
        return ParseOctal(f);
    }

    private static long ParseOctal(ReadOnlySpan<byte> f)
    {
        long v = 0;
        bool any = false;
        foreach (var b in f)
        {
            if (b is (byte)' ' or 0) { if (any) break; continue; }
            if (b is < (byte)'0' or > (byte)'7') return -1;
            v = v * 8 + (b - '0');
            any = true;
            if (v > MaxMemberBytes * 8) return -1;
        }
        return v;
    }

    private static string CString(ReadOnlySpan<byte> f)
    {
        int end = f.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? f : f[..end]);
    }

    private static string HeaderName(byte[] h)
    {
        var name = CString(h.AsSpan(0, 100));
        bool ustar = h.AsSpan(257, 5).SequenceEqual("ustar"u8);
        if (!ustar) return name;
        var prefix = CString(h.AsSpan(345, 155));
        return prefix.Length > 0 ? prefix + "/" + name : name;
    }

    // pax records: "<len> <key>=<value>\n", len counting bytes of the whole record
    private static string? PaxPath(byte[] data)
    {
        string? path = null;
        int pos = 0;
        while (pos < data.Length)
        {
            int space = Array.IndexOf(data, (byte)' ', pos);
            if (space < 0 || !int.TryParse(Encoding.ASCII.GetString(data, pos, space - pos), out var len) || len <= 0
                || pos + len > data.Length || space + 1 > pos + len - 1) break;
            var record = data.AsSpan(space + 1, pos + len - 1 - (space + 1)); // without the trailing newline
            int eq = record.IndexOf((byte)'=');
            if (eq > 0 && record[..eq].SequenceEqual("path"u8)) path = Encoding.UTF8.GetString(record[(eq + 1)..]);
            pos += len;
        }
        return path;
    }

    /// <summary>Closes the stream unless told to leave it open.</summary>
    public void Dispose()
    {
        if (!_leaveOpen) _stream.Dispose();
    }

    private static class Reasons
    {
        public const string TruncatedMember = BadSampleReasons.TruncatedMember;
        public const string TruncatedShard = BadSampleReasons.TruncatedShard;
        public const string CorruptShard = BadSampleReasons.CorruptShard;
    }
}
