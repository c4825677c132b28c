namespace ClipSharp.Data.Images;

/// <summary>
/// The inner loops <see cref="PilResize"/> may use, best first; each falls back to the next one the CPU (or the band
/// count) allows. All give the same bytes; anything but <see cref="Best"/> is for tests and measurements.
/// </summary>
internal enum ResizeKernel
{
    /// <summary>The fastest the CPU supports (AVX-512 BW/VBMI, then AVX2, then SSE4.1, then scalar).</summary>
    Best,

    /// <summary>At most AVX2 (horizontal: 16-bit multiply-adds; vertical: int32 lanes).</summary>
    Avx2,

    /// <summary>At most SSE4.1 128-bit vectors (horizontal, 3-4 bands: one pixel's bands per vector).</summary>
    Vector128,

    /// <summary>Plain scalar loops: Pillow's Resample.c arithmetic written out, the tests' oracle.</summary>
    Scalar,
}
