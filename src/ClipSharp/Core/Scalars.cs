using ClipSharp.Core;
using System.Collections.Concurrent;
using TorchSharp;

namespace ClipSharp.Core;

/// <summary>
/// Long-lived TorchSharp <see cref="Scalar"/>s for the numbers hot tensor code passes to libtorch.
/// </summary>
/// <remarks>
/// Why: in TorchSharp 0.107 a <see cref="Scalar"/> owns a native c10::Scalar freed by its finalizer, and no method
/// that takes a Scalar keeps it alive across the P/Invoke (no GC.KeepAlive; dotnet/TorchSharp PRs 1434 and 1496).
/// A Scalar made implicitly from a number (<c>x * 0.5</c>, <c>x.clamp(0, m)</c>, <c>masked_fill(m, -inf)</c>) — or made
/// inside TorchSharp (<c>a + b</c> and <c>add(Tensor)</c> pass a hidden alpha = 1, <c>arange(n)</c> a hidden start and
/// step, <c>k - x</c> an alpha, <c>square()</c> an exponent) — is unreachable once its handle is read, so a GC on another
/// thread (data workers allocate) can finalize it while libtorch still reads it: "toFloat ... Expected false to be
/// true", or silently a wrong value.
/// The rule in Modeling and Training: never hand TorchSharp a number where it takes a Scalar, and never use the
/// tensor <c>+</c> / number-tensor operators there. Constants (hyper-parameters, loss weights, masks' -inf) come
/// from <see cref="Of(double)"/> / <see cref="Of(long)"/>, cached for the life of the process so nothing can
/// finalize them; values that change per call (learning-rate terms) use <c>using var s = v.ToScalar();</c>, which
/// keeps <c>s</c> alive until the end of its scope. Tensor sums are <c>a.add(b, Scalars.One)</c>.
/// tests/ClipSharp.Tests/Training/ScalarLifetimeTests.cs scans the compiled IL and fails on a relapse.
/// </remarks>
public static class Scalars
{
    private static readonly ConcurrentDictionary<long, Scalar> Doubles = new();
    private static readonly ConcurrentDictionary<long, Scalar> Integers = new();

    /// <summary>Integer 1, the alpha of a plain tensor sum (<c>a.add(b, Scalars.One)</c>).</summary>
    public static Scalar One => Of(1L);

    /// <summary>Negative infinity (float64), for additive attention masks.</summary>
    public static Scalar NegativeInfinity => Of(double.NegativeInfinity);

    /// <summary>
    /// A float64 Scalar holding <paramref name="value"/>, created once per distinct value and never freed. Use for
    /// constants only: every distinct value stays allocated (a few dozen bytes) until the process ends.
    /// </summary>
    public static Scalar Of(double value) =>
        Doubles.GetOrAdd(BitConverter.DoubleToInt64Bits(value), static (_, v) => v.ToScalar(), value);

    /// <summary>An integer Scalar holding <paramref name="value"/>, created once per distinct value and never freed.</summary>
    public static Scalar Of(long value) =>
        Integers.GetOrAdd(value, static v => v.ToScalar());

    /// <summary>
    /// int64 [0, 1, ..., n - 1] on <paramref name="device"/>: <c>torch.arange(n)</c> without the start and step
    /// Scalars TorchSharp would create (and leave to the finalizer) inside it.
    /// </summary>
    public static torch.Tensor Arange(long n, torch.Device? device = null)
    {
        using var stop = n.ToScalar();
        return torch.arange(Of(0L), stop, Of(1L), torch.ScalarType.Int64, device);
    }
}
