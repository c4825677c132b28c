using ClipSharp.Modeling;
using ClipSharp.Modeling.Layers;
using ClipSharp.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Modeling.Precision;

/// <summary>
/// Every fixture model (both manifests' kinds, data-driven) and the quickstart CLIPS model: amp_bf16, bf16 inference
/// and pure bf16 against fp32 on the same weights and inputs. The figures of every comparison are printed.
/// Tolerances (issue 17), checked against what the fixture models measure: amp_bf16 features cosine ≥ 0.999 per row,
/// loss within 1e-2 relative, every parameter gradient cosine ≥ 0.99; bf16 inference as amp; pure bf16 (weights and
/// activations in bf16, LayerNorm included) features cosine ≥ 0.99.
/// </summary>
public class MixedPrecisionTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> RepoCases => Fixtures.RepoModelCases(Kinds);
    public static TheoryData<string, string> SharedCases => Fixtures.SharedModelCases(Kinds);
    private static readonly string[] Kinds = ["clip", "coca", "clips_training", "clips_encoder_only"];

    private const double FeatureCos = 0.999, LossRel = 1e-2, GradCos = 0.99, PureFeatureCos = 0.99;

    [Theory]
    [MemberData(nameof(RepoCases))]
    [SharedMemberData(nameof(SharedCases))]
    public void Bf16PoliciesStayCloseToFp32(string manifest, string name) => Check(PrecisionCase.Load(manifest, name));

    [Fact]
    public void TheQuickstartModelInBf16StaysCloseToFp32() => Check(PrecisionCase.Random("quickstart-clips", 16));

    private void Check(PrecisionCase c)
    {
        var m = c.Model;
        m.eval();                                           // no dropout anywhere: train() would only change that
        var fp32 = Run(c, PrecisionPolicy.Native, ScalarType.Float32);
        var amp = Run(c, PrecisionPolicy.AmpBf16(), ScalarType.Float32);
        var failures = new List<string>();
        Report("amp_bf16", fp32, amp, FeatureCos, failures);
        Require(failures, "amp_bf16 loss", RelDiff(fp32.Loss, amp.Loss), LossRel, smallerIsBetter: true);
        // A gradient that is zero up to rounding has no direction to compare: an attention's key bias shifts every
        // score of a query equally, which the softmax ignores (the ResNet attention pool's k_proj.bias).
        double largest = fp32.Grads.Values.Max(g => g.norm().item<float>());
        var worst = fp32.Grads.Where(g => g.Value.norm().item<float>() > 1e-6 * largest)
            .Select(g => (g.Key, Cos: Cosine(g.Value.flatten(), amp.Grads[g.Key].flatten()))).OrderBy(g => g.Cos).ToList();
        output.WriteLine($"{c.Name} amp_bf16 gradients: {worst.Count} compared, lowest cosines " +
            string.Join(", ", worst.Take(3).Select(g => $"{g.Key} {g.Cos:F5}")));
        foreach (var (key, cos) in worst.Where(g => g.Cos < GradCos)) failures.Add($"gradient {key}: cosine {cos:F5} < {GradCos}");

        using (var policy = PrecisionPolicy.InferenceBf16())
        {
            var inference = Run(c, policy, ScalarType.Float32, backward: false);
            Report("bf16 inference", fp32, inference, FeatureCos, failures);
        }
        PrecisionPolicies.Apply(m, PrecisionPolicy.Native);
        m.to(ScalarType.BFloat16);
        var pure = Run(c, PrecisionPolicy.Native, ScalarType.BFloat16, backward: false);
        Report("pure_bf16", fp32, pure, PureFeatureCos, failures);
        Assert.True(failures.Count == 0, $"{c.Name}:\n" + string.Join("\n", failures));
    }

    private sealed record Outcome(Tensor Image, Tensor Text, Tensor Loss, Dictionary<string, Tensor> Grads);

    private static Outcome Run(PrecisionCase c, PrecisionPolicy policy, ScalarType input, bool backward = true)
    {
        PrecisionPolicies.Apply(c.Model, policy);
        foreach (var p in c.Model.parameters()) p.grad = null;
        using var grad = backward ? null : no_grad();
        var s = c.Step(input);
        if (backward) s.Loss.backward();
        var grads = backward
            ? c.Model.named_parameters().Where(p => p.parameter.grad is not null).ToDictionary(p => p.name, p => p.parameter.grad!.detach().clone())
            : [];
        return new(s.Image.detach().to(ScalarType.Float32), s.Text.detach().to(ScalarType.Float32), s.Loss.detach().to(ScalarType.Float32), grads);
    }

    private void Report(string what, Outcome fp32, Outcome other, double minCos, List<string> failures)
    {
        double img = RowCosines(fp32.Image, other.Image), txt = RowCosines(fp32.Text, other.Text);
        output.WriteLine($"{what}: min row cosine image {img:F6}, text {txt:F6}; loss {fp32.Loss.item<float>():G6} vs {other.Loss.item<float>():G6}");
        Require(failures, what + " image features", img, minCos, smallerIsBetter: false);
        Require(failures, what + " text features", txt, minCos, smallerIsBetter: false);
    }

    private static void Require(List<string> failures, string what, double value, double limit, bool smallerIsBetter)
    {
        bool ok = double.IsFinite(value) && (smallerIsBetter ? value <= limit : value >= limit);
        if (!ok) failures.Add($"{what}: {value:G6} (limit {limit})");
    }

    private static double RowCosines(Tensor a, Tensor b) =>
        nn.functional.cosine_similarity(a.to(ScalarType.Float64), b.to(ScalarType.Float64), dim: -1).min().item<double>();

    private static double Cosine(Tensor a, Tensor b) =>
        nn.functional.cosine_similarity(a.to(ScalarType.Float64), b.to(ScalarType.Float64), dim: 0).item<double>();

    private static double RelDiff(Tensor a, Tensor b)
    {
        double x = a.item<float>(), y = b.item<float>();
        return Math.Abs(x - y) / Math.Max(Math.Abs(x), 1e-12);
    }
}
