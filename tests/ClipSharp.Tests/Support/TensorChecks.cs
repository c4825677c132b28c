using System.Text;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Support;

/// <summary>Collects tensor comparisons and reports every one with its max difference; fails if any is out of tolerance.</summary>
public sealed class TensorChecks(string caseName)
{
    private readonly List<(string Name, double MaxDiff, double Atol, bool Ok, string Note)> _rows = [];

    /// <summary>|actual - expected| ≤ atol + rtol·|expected| elementwise (shapes must match; integers exactly).</summary>
    public void Close(string name, Tensor actual, Tensor expected, double atol, double rtol = 0)
    {
        var a = actual.detach().cpu();
        var e = expected.detach().cpu();
        if (!a.shape.SequenceEqual(e.shape))
        {
            _rows.Add((name, double.NaN, atol, false, $"shape [{string.Join(",", a.shape)}] vs [{string.Join(",", e.shape)}]"));
            return;
        }
        if (!e.is_floating_point())
        {
            var same = a.to(e.dtype).eq(e);
            var bad = same.logical_not().sum().item<long>();
            _rows.Add((name, bad, 0, bad == 0, bad == 0 ? "exact" : $"{bad} of {e.NumberOfElements} differ"));
            return;
        }
        var a64 = a.to(ScalarType.Float64);
        var e64 = e.to(ScalarType.Float64);
        var diff = (a64 - e64).abs();
        double max = e.NumberOfElements == 0 ? 0 : diff.max().item<double>();
        bool ok = e.NumberOfElements == 0 || diff.le(atol + rtol * e64.abs()).all().item<bool>();
        if (!a64.isfinite().all().item<bool>()) ok = false;
        _rows.Add((name, max, atol, ok, ""));
    }

    public int Count => _rows.Count;

    /// <summary>Fails with the full table when any comparison failed; otherwise writes the table to the test output.</summary>
    public void AssertAll(ITestOutputHelper? output = null)
    {
        var sb = new StringBuilder($"{caseName}: {_rows.Count} tensors\n");
        foreach (var r in _rows)
            sb.AppendLine($"  {(r.Ok ? "ok  " : "FAIL")} {r.Name,-70} max|diff| {r.MaxDiff:E2} (atol {r.Atol:E1}) {r.Note}");
        output?.WriteLine(sb.ToString());
        Assert.True(_rows.Count > 0, $"{caseName}: nothing was compared");
        Assert.True(_rows.All(r => r.Ok), sb.ToString());
    }
}
