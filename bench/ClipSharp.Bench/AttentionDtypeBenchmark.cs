using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Bench;

/// <summary>
/// libtorch's scaled_dot_product_attention forward + backward in fp32 and in bf16 at the shapes the models use
/// (ViT-B-32 image b32, ViT-B-32 text b128, the quickstart CLIPS towers b64): the measurement behind
/// <c>PrecisionPolicy.Attention</c>. Value = fp32 time / bf16 time at the ViT-B-32 image shape (above 1: bf16 faster).
/// </summary>
public static class AttentionDtypeBenchmark
{
    private static readonly (string Name, long B, long H, long L, long D)[] Shapes =
    [
        ("vitb32-image-b32", 32, 12, 50, 64),
        ("vitb32-text-b128", 128, 8, 77, 64),
        ("quickstart-image-b64", 64, 4, 65, 32),
    ];

    public static BenchResult Run(BenchOptions o)
    {
        var details = new Dictionary<string, string>();
        double headline = double.NaN, headlineSeconds = 0;
        double[] headlineTimes = [];
        foreach (var (name, b, h, l, d) in Shapes)
        {
            var fp32 = Time(b, h, l, d, ScalarType.Float32, o);
            var bf16 = Time(b, h, l, d, ScalarType.BFloat16, o);
            double f = Timing.Median(fp32), g = Timing.Median(bf16);
            details[$"{name}_fp32_ms"] = (f * 1e3).ToString("F2");
            details[$"{name}_bf16_ms"] = (g * 1e3).ToString("F2");
            details[$"{name}_fp32_over_bf16"] = (f / g).ToString("F2");
            if (double.IsNaN(headline)) (headline, headlineSeconds, headlineTimes) = (f / g, g, bf16);
        }
        return new BenchResult
        {
            Name = "attention-dtype",
            Description = "SDPA fwd+bwd, fp32 time / bf16 time (ViT-B-32 image b32; more shapes in details)",
            Value = headline,
            Unit = "x",
            RepeatSeconds = headlineTimes,
            MedianSeconds = headlineSeconds,
            Details = details,
        };
    }

    private static double[] Time(long b, long h, long l, long d, ScalarType dtype, BenchOptions o)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(0);
        var q = torch.randn([b, h, l, d], dtype: dtype).requires_grad_();
        var k = torch.randn([b, h, l, d], dtype: dtype).requires_grad_();
        var v = torch.randn([b, h, l, d], dtype: dtype).requires_grad_();
        var grad = torch.randn([b, h, l, d], dtype: dtype);
        return Timing.Measure(() =>
        {
            using var inner = torch.NewDisposeScope();
            var y = nn.functional.scaled_dot_product_attention(q, k, v);
            y.backward([grad]);
            q.grad?.zero_(); k.grad?.zero_(); v.grad?.zero_();
        }, o.Warmup + 1, o.Repeats + 3);
    }
}
