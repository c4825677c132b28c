namespace ClipSharp.Text;

/// <summary>How a synthetic caption is shortened for the text encoder (spec §2.1, §2.2).</summary>
public enum TokenReductionStrategy
{
    /// <summary>The whole caption; only the row layout truncates.</summary>
    None,

    /// <summary>The first K-1 content ids.</summary>
    Truncation,

    /// <summary>K-1 distinct positions drawn uniformly, kept in caption order (OpenCLIP "random").</summary>
    Random,

    /// <summary>K-1 distinct positions drawn uniformly, in random order (OpenCLIP "shuffle", OpenVision "random").</summary>
    Shuffle,

    /// <summary>A contiguous window of K-1 ids with a uniform start over all n-K+2 windows (OpenCLIP "simple").</summary>
    Block,

    /// <summary>One uniformly drawn sentence (split on runs of '.'/'!'); the CLIPS default.</summary>
    SubCaption,
}
