using ClipSharp.Core;

namespace ClipSharp.Data.Sources;

/// <summary>Opens the <see cref="IDataSource"/> a <see cref="DataSourceSpec"/> describes.</summary>
public static class DataSources
{
    /// <summary>Validates the spec and opens the source (throws <see cref="ClipSharpException"/> when it cannot).</summary>
    public static IDataSource Open(DataSourceSpec spec)
    {
        spec.Validate();
        return spec.NormalizedType switch
        {
            "wds" => new WebDatasetSource(spec),
            "jsonl" or "csv" => new TextManifestSource(spec),
            "parquet" => new ParquetManifestSource(spec),
            "folder" => new ImageFolderSource(spec),
            var t => throw new ClipSharpException($"Data source \"{spec.Path}\": type \"{t}\" is not supported yet."),
        };
    }
}
