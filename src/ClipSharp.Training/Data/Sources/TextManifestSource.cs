using System.Text;
using System.Text.Json;
using ClipSharp.Core;

namespace ClipSharp.Data.Sources;

/// <summary>
/// A JSONL (one JSON object per line) or CSV/TSV (header row; TSV when the type is "tsv" or the file ends in .tsv)
/// manifest. Opening scans the file once and remembers the byte offset of every <see cref="DataSourceSpec.RowsPerShard"/>-th
/// row, so a shard ("manifest#rows a-b") is read by seeking, and memory does not grow with the manifest. A row that
/// is not valid UTF-8, not a JSON object, or has more fields than the header becomes one bad record (key "row N").
/// </summary>
public sealed class TextManifestSource : IDataSource
{
    private readonly List<long> _offsets = [];
    private readonly List<int> _counts = [];
    private readonly string[] _shards;
    private readonly ManifestRows _rows;
    private readonly bool _csv;
    private readonly char _delimiter;
    private readonly Dictionary<string, int>? _columns;

    /// <inheritdoc/>
    public DataSourceSpec Spec { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> Shards => _shards;

    /// <summary>Data rows in the manifest (blank lines excluded).</summary>
    public long RowCount { get; }

    /// <summary>Scans the manifest; throws <see cref="ClipSharpException"/> when it is missing or (CSV) its header lacks the image column.</summary>
    public TextManifestSource(DataSourceSpec spec)
    {
        Spec = spec;
        _rows = new ManifestRows(spec);
        _csv = spec.NormalizedType == "csv";
        _delimiter = spec.Type.Trim().Equals("tsv", StringComparison.OrdinalIgnoreCase) || spec.Path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) ? '\t' : ',';
        if (!File.Exists(spec.Path)) throw new ClipSharpException($"Data source \"{spec.Path}\": the manifest file does not exist.");
        using var reader = new ManifestRecordReader(Open(0), _csv);
        if (_csv)
        {
            var header = reader.Next() ?? throw new ClipSharpException($"Data source \"{spec.Path}\": the CSV manifest is empty (no header row).");
            string text;
            try { text = new UTF8Encoding(false, true).GetString(header); }
            catch (DecoderFallbackException) { throw new ClipSharpException($"Data source \"{spec.Path}\": the CSV header is not valid UTF-8."); }
            var names = CsvLine.Split(text.TrimStart('\uFEFF'), _delimiter);
            _columns = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < names.Count; i++) _columns.TryAdd(names[i].Trim(), i);
            foreach (var need in new[] { spec.ImageField, spec.KeyField }.OfType<string>())
                if (!_columns.ContainsKey(need))
                    throw new ClipSharpException($"Data source \"{spec.Path}\": the CSV header has no column \"{need}\" (columns: {string.Join(", ", names)}).");
        }
        long rows = 0;
        while (reader.Next() is not null)
        {
            if (rows % spec.RowsPerShard == 0) { _offsets.Add(reader.Offset); _counts.Add(0); }
            _counts[^1]++;
            rows++;
        }
        RowCount = rows;
        if (rows == 0) throw new ClipSharpException($"Data source \"{spec.Path}\": the manifest has no data rows.");
        _shards = _offsets.Select((_, i) => $"{spec.Path}#rows {(long)i * spec.RowsPerShard}-{(long)i * spec.RowsPerShard + _counts[i] - 1}").ToArray();
    }

    private FileStream Open(long offset)
    {
        var fs = new FileStream(Spec.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        fs.Seek(offset, SeekOrigin.Begin);
        return fs;
    }

    /// <inheritdoc/>
    public IEnumerable<SourceRecord> Read(int index)
    {
        long first = (long)index * Spec.RowsPerShard;
        ManifestRecordReader? reader = null;
        BadSampleException? openError = null;
        try { reader = new ManifestRecordReader(Open(_offsets[index]), _csv); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            openError = new BadSampleException(BadSampleReasons.UnreadableFile, Spec.Path, $"(rows from {first})", $"cannot open the manifest ({e.Message})", e);
        }
        if (openError is not null) { yield return new SourceRecord(openError); yield break; }
        using (reader)
        {
            for (int j = 0; j < _counts[index]; j++)
            {
                long row = first + j;
                byte[]? bytes = null;
                BadSampleException? readError = null;
                try { bytes = reader!.Next(); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    readError = new BadSampleException(BadSampleReasons.UnreadableFile, Spec.Path, ManifestRows.RowKey(row), $"reading the manifest failed ({e.Message})", e);
                }
                if (readError is not null) { yield return new SourceRecord(readError); yield break; }
                if (bytes is null) yield break; // the file shrank since it was scanned
                yield return Parse(bytes, row);
            }
        }
    }

    private SourceRecord Parse(byte[] bytes, long row)
    {
        var origin = Spec.Path;
        var rowKey = ManifestRows.RowKey(row);
        try
        {
            if (_csv)
            {
                var values = CsvLine.Split(CaptionFields.DecodeUtf8(bytes, origin, rowKey, rowKey), _delimiter);
                if (values.Count > _columns!.Count)
                    throw new BadSampleException(BadSampleReasons.InvalidRow, origin, rowKey, $"{rowKey} has {values.Count} fields, the header {_columns.Count}");
                return _rows.Record(origin, row, name => _columns.TryGetValue(name, out var c) && c < values.Count ? values[c] : null,
                    columns: _columns.Keys);
            }
            using var doc = CaptionFields.ParseJson(bytes, origin, rowKey, rowKey);
            var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
                fields[p.Name] = p.Value.ValueKind switch
                {
                    JsonValueKind.String => p.Value.GetString(),
                    JsonValueKind.Number => p.Value.GetRawText(),
                    _ => null,
                };
            return _rows.Record(origin, row, name => fields.GetValueOrDefault(name), columns: fields.Keys);
        }
        catch (BadSampleException e) { return new SourceRecord(e); }
    }
}
