using static TorchSharp.torch;

namespace ClipSharp.Checkpoints;

/// <summary>
/// What a checkpoint holds, read without loading tensor data: tensors, element count per dtype, the implied
/// architecture and how it compares with model configs. <see cref="ParameterCount"/> counts every tensor's elements
/// except BatchNorm buffers (running_mean, running_var, num_batches_tracked: a ResNet tower's state, not parameters).
/// </summary>
public sealed record CheckpointSummary(string Path, CheckpointFormat Format, IReadOnlyList<TensorSpec> Tensors, ArchitectureGuess Architecture,
    HfModelDirectory? Directory, IReadOnlyList<ConfigMatch> Configs)
{
    /// <summary>Total number of elements over all tensors.</summary>
    public long ParameterCount => Tensors.Where(t => !IsBatchNormBuffer(t.Name)).Sum(t => t.NumElements);

    private static bool IsBatchNormBuffer(string name) =>
        name.EndsWith(".running_mean", StringComparison.Ordinal) || name.EndsWith(".running_var", StringComparison.Ordinal)
        || name.EndsWith(".num_batches_tracked", StringComparison.Ordinal);

    /// <summary>Tensor count per dtype.</summary>
    public IReadOnlyDictionary<ScalarType, int> DTypeCounts => Tensors.GroupBy(t => t.DType).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>The configs that match exactly.</summary>
    public IEnumerable<ConfigMatch> Matches => Configs.Where(c => c.IsMatch);

    /// <summary>
    /// Inspects a checkpoint file or a Hugging Face style model directory and compares it with the *.json configs in
    /// <paramref name="configDirectories"/>, plus the directory's open_clip_config.json or the *.json files beside a
    /// checkpoint file.
    /// </summary>
    public static CheckpointSummary Inspect(string path, IEnumerable<string>? configDirectories = null)
    {
        HfModelDirectory? dir = System.IO.Directory.Exists(path) ? HfModelDirectory.Open(path) : null;
        string file = dir?.WeightsPath ?? path;
        var (format, tensors) = CheckpointReader.Inspect(file);
        var arch = ArchitectureGuess.FromTensors(tensors);
        var configFiles = ModelConfigMatcher.JsonFilesIn(configDirectories ?? []).ToList();
        if (dir?.ConfigPath != null) configFiles.Add(dir.ConfigPath);
        else if (dir == null && System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(file)) is { } near)
            configFiles.AddRange(ModelConfigMatcher.JsonFilesIn([near]));
        return new CheckpointSummary(file, format, tensors, arch, dir, ModelConfigMatcher.Compare(arch, configFiles));
    }
}
