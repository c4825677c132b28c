using ClipSharp.Core;
using Parquet;
using Parquet.Schema;

namespace ClipSharp.Data.Sources;

/// <summary>
/// A Parquet manifest (Parquet.Net). The image column holds a path (string, resolved against the image root) or the
/// encoded image itself (binary). Shards are slices of at most <see cref="DataSourceSpec.RowsPerShard"/> rows that never
/// span row groups; reading one decodes the needed columns of its row group (the last few row groups read are
/// cached, so with row groups much larger than a shard, set rows_per_shard to the row-group size to avoid re-reads).
/// Caption and key columns may be strings or integers; absent caption columns give null captions.
/// </summary>
public sealed class ParquetManifestSource : IDataSource
{
    private const int CachedGroups = 2;
    private readonly List<(int Group, int Start, int Count, long FirstRow)> _slices = [];
    private readonly string[] _shards;
    private readonly ManifestRows _rows;
    private readonly Dictionary<string, DataField> _fields;
    private readonly LinkedList<(int Group, Dictionary<string, object?[]> Columns)> _cache = new();
    private readonly object _gate = new();

    /// <inheritdoc/>
    public DataSourceSpec Spec { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> Shards => _shards;

    /// <summary>Rows in the file.</summary>
    public long RowCount { get; }

    /// <summary>Reads the file's metadata; throws <see cref="ClipSharpException"/> when it is missing, not Parquet, or lacks the image / key column.</summary>
    public ParquetManifestSource(DataSourceSpec spec)
    {
        Spec = spec;
        _rows = new ManifestRows(spec);
        if (!File.Exists(spec.Path)) throw new ClipSharpException($"Data source \"{spec.Path}\": the Parquet manifest does not exist.");
        try
        {
            var reader = ParquetReader.CreateAsync(spec.Path).GetAwaiter().GetResult();
            try
            {
                _fields = reader.Schema.GetDataFields().GroupBy(f => f.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
                foreach (var need in new[] { spec.ImageField, spec.KeyField }.OfType<string>())
                    if (!_fields.ContainsKey(need))
                        throw new ClipSharpException($"Data source \"{spec.Path}\": the Parquet file has no column \"{need}\" (columns: {string.Join(", ", _fields.Keys)}).");
                long row = 0;
                for (int g = 0; g < reader.RowGroupCount; g++)
                {
                    using var rg = reader.OpenRowGroupReader(g);
                    int n = checked((int)rg.RowCount);
                    for (int start = 0; start < n; start += spec.RowsPerShard)
                    {
                        int count = Math.Min(spec.RowsPerShard, n - start);
                        _slices.Add((g, start, count, row + start));
                    }
                    row += n;
                }
                RowCount = row;
            }
            finally { reader.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
        }
        catch (Exception e) when (e is not ClipSharpException and not OutOfMemoryException)
        {
            throw new ClipSharpException($"Data source \"{spec.Path}\": cannot read it as Parquet ({e.Message}).", e);
        }
        if (RowCount == 0) throw new ClipSharpException($"Data source \"{spec.Path}\": the Parquet manifest has no rows.");
        _shards = _slices.Select(s => $"{spec.Path}#rows {s.FirstRow}-{s.FirstRow + s.Count - 1}").ToArray();
    }

    /// <inheritdoc/>
    public IEnumerable<SourceRecord> Read(int index)
    {
        var (group, start, count, firstRow) = _slices[index];
        Dictionary<string, object?[]>? columns = null;
        BadSampleException? error = null;
        try { columns = Columns(group); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error = new BadSampleException(BadSampleReasons.UnreadableFile, Spec.Path, $"(rows {firstRow}-{firstRow + count - 1})",
                $"cannot read row group {group} ({e.Message.Split('\n')[0]})", e);
        }
        if (error is not null) { yield return new SourceRecord(error); yield break; }
        var image = columns![Spec.ImageField];
        for (int i = start; i < start + count; i++)
        {
            int r = i;
            string? Field(string name) => columns.TryGetValue(name, out var c) ? c[r] as string : null;
            yield return _rows.Record(Spec.Path, firstRow + (r - start), Field, image[r] as byte[]);
        }
    }

    private Dictionary<string, object?[]> Columns(int group)
    {
        lock (_gate)
        {
            foreach (var c in _cache) if (c.Group == group) return c.Columns;
        }
        var result = new Dictionary<string, object?[]>(StringComparer.Ordinal);
        var reader = ParquetReader.CreateAsync(Spec.Path).GetAwaiter().GetResult();
        try
        {
            using var rg = reader.OpenRowGroupReader(group);
            int n = checked((int)rg.RowCount);
            foreach (var name in new[] { Spec.ImageField, Spec.KeyField, Spec.WebField, Spec.SyntheticField }.OfType<string>().Distinct())
                if (_fields.TryGetValue(name, out var f)) result[name] = ReadColumn(rg, f, n);
        }
        finally { reader.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
        lock (_gate)
        {
            _cache.AddFirst((group, result));
            while (_cache.Count > CachedGroups) _cache.RemoveLast();
        }
        return result;
    }

    // Strings stay strings, binary stays byte[], integers become their decimal text; other types read as null.
    private static object?[] ReadColumn(ParquetRowGroupReader rg, DataField f, int n)
    {
        var t = Nullable.GetUnderlyingType(f.ClrType) ?? f.ClrType;
        if (t == typeof(string) || t == typeof(ReadOnlyMemory<char>))
        {
            var v = new string?[n];
            rg.ReadAsync(f, v.AsMemory()).GetAwaiter().GetResult();
            return v;
        }
        if (t == typeof(byte[]) || t == typeof(ReadOnlyMemory<byte>))
        {
            var v = new byte[]?[n];
            rg.ReadAsync(f, v.AsMemory()).GetAwaiter().GetResult();
            return v;
        }
        if (t == typeof(long)) return Ints<long>(rg, f, n);
        if (t == typeof(int)) return Ints<int>(rg, f, n);
        return new object?[n];
    }

    private static object?[] Ints<T>(ParquetRowGroupReader rg, DataField f, int n) where T : struct, IFormattable
    {
        var v = new T?[n];
        rg.ReadAsync(f, v.AsMemory()).GetAwaiter().GetResult();
        return v.Select(x => (object?)x?.ToString(null, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }
}
