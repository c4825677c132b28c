namespace ClipSharp.Checkpoints;

/// <summary>
/// How one model config JSON compares with a checkpoint: <paramref name="Differences"/> lists each field that
/// disagrees ("vision_cfg.width: config 768, checkpoint 1024"); empty means the config matches.
/// </summary>
public sealed record ConfigMatch(string Name, string Path, IReadOnlyList<string> Differences)
{
    /// <summary>True when every compared field agrees.</summary>
    public bool IsMatch => Differences.Count == 0;
}
