namespace ClipSharp.Checkpoints;

/// <summary>What a checkpoint file is, decided from its first bytes (never from its extension).</summary>
public enum CheckpointFormat
{
    /// <summary>Not a format ClipSharp knows.</summary>
    Unknown,
    /// <summary>safetensors: 8-byte little-endian header length, then a JSON object.</summary>
    SafeTensors,
    /// <summary>A zip archive (torch.save ≥ 1.6, or a TorchScript archive, told apart on open).</summary>
    TorchZip,
    /// <summary>A bare pickle: torch.save before 1.6 (or with _use_new_zipfile_serialization=False).</summary>
    LegacyTorchPickle,
}
