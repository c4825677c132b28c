namespace ClipSharp.Data.Sources;

/// <summary>
/// Splits a text manifest into raw records at the byte level, so that a bad byte spoils one row and not the file:
/// JSONL records are lines; CSV/TSV records are lines except that a newline inside a double-quoted field belongs to
/// the field. A trailing '\r' is dropped; blank records are skipped. <see cref="Offset"/> is the byte offset of the
/// last record returned, so a reader can later seek back to it.
/// </summary>
public sealed class ManifestRecordReader : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _quoted;
    private readonly byte[] _buf = new byte[1 << 16];
    private int _len, _at;
    private long _bufStart;
    private readonly MemoryStream _record = new();

    /// <summary>Reads from <paramref name="stream"/> starting at its current position; <paramref name="csvQuotes"/>
    /// enables the CSV rule for quoted newlines.</summary>
    public ManifestRecordReader(Stream stream, bool csvQuotes)
    {
        _stream = stream;
        _quoted = csvQuotes;
        _bufStart = stream.CanSeek ? stream.Position : 0;
    }

    /// <summary>Byte offset of the record last returned by <see cref="Next"/>.</summary>
    public long Offset { get; private set; }

    /// <summary>The next non-blank record's bytes (without the line break), or null at the end.</summary>
    public byte[]? Next()
    {
        while (true)
        {
            _record.SetLength(0);
            long start = _bufStart + _at;
            bool inQuotes = false, any = false;
            while (true)
            {
                if (_at == _len)
                {
                    _bufStart += _len;
                    _len = _stream.Read(_buf, 0, _buf.Length);
                    _at = 0;
                    if (_len == 0) break;
                }
                int i = _at;
                while (i < _len)
                {
                    byte b = _buf[i];
                    if (b == (byte)'"' && _quoted) inQuotes = !inQuotes;
                    else if (b == (byte)'\n' && !inQuotes) break;
                    i++;
                }
                _record.Write(_buf, _at, i - _at);
                any = true;
                if (i < _len) { _at = i + 1; goto done; }
                _at = _len;
            }
            if (!any || _record.Length == 0) return null; // end of file
        done:
            var bytes = _record.ToArray();
            int n = bytes.Length;
            if (n > 0 && bytes[n - 1] == (byte)'\r') n--;
            if (IsBlank(bytes.AsSpan(0, n))) continue;
            Offset = start;
            return n == bytes.Length ? bytes : bytes[..n];
        }
    }

    private static bool IsBlank(ReadOnlySpan<byte> s)
    {
        foreach (var b in s) if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r')) return false;
        return true;
    }

    /// <summary>Closes the stream.</summary>
    public void Dispose()
    {
        _stream.Dispose();
        _record.Dispose();
    }
}
