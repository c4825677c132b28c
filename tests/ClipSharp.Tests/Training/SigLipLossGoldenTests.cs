using ClipSharp.Training.Objectives;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Training;

/// <summary>
/// Golden value of <see cref="SigLipLoss"/>, computed independently in float64 by plain loops from the SigLIP paper's
/// formula (Zhai et al. 2023, eq. 1 / Algorithm 1): z_ij = t · x_i·y_j + b, label +1 on the diagonal and −1 off it,
///   loss = −(1/B) Σ_i Σ_j log σ(label_ij · z_ij),
/// with the gradients with respect to the learnable logit scale t and bias b derived by hand:
///   ∂loss/∂b = −(1/B) Σ_ij label_ij (1 − σ(label_ij z_ij)),  ∂loss/∂t = −(1/B) Σ_ij label_ij (1 − σ(label_ij z_ij)) x_i·y_j.
/// </summary>
public class SigLipLossGoldenTests
{
    private static double[][] RandomRows(Random rng, int rows, int dim, bool normalize)
    {
        var m = new double[rows][];
        for (int i = 0; i < rows; i++)
        {
            // Box-Muller normals rounded to float32, so the float32 tensors hold exactly these values
            m[i] = Enumerable.Range(0, dim).Select(_ =>
                (double)(float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()))).ToArray();
            if (!normalize) continue;
            double n = Math.Sqrt(m[i].Sum(v => v * v));
            m[i] = m[i].Select(v => (double)(float)(v / n)).ToArray();
        }
        return m;
    }

    private static double LogSigmoid(double z) => z >= 0 ? -Math.Log(1 + Math.Exp(-z)) : z - Math.Log(1 + Math.Exp(z));

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    /// <summary>(loss, ∂loss/∂scale, ∂loss/∂bias) by the formula, in float64.</summary>
    private static (double Loss, double DScale, double DBias) ByHand(double[][] x, double[][] y, double scale, double bias)
    {
        int b = x.Length;
        double loss = 0, dScale = 0, dBias = 0;
        for (int i = 0; i < b; i++)
            for (int j = 0; j < b; j++)
            {
                double dot = 0;
                for (int k = 0; k < x[i].Length; k++) dot += x[i][k] * y[j][k];
                double label = i == j ? 1 : -1;
                double z = scale * dot + bias;
                loss -= LogSigmoid(label * z);
                double g = -label * (1 - Sigmoid(label * z));  // d(−log σ(label·z))/dz
                dBias += g;
                dScale += g * dot;
            }
        return (loss / b, dScale / b, dBias / b);
    }

    private static double Value(Tensor t) => t.to(ScalarType.Float64).item<double>();

    private static Tensor ToTensor(double[][] m, ScalarType dtype) =>
        tensor(m.SelectMany(r => r).ToArray(), [m.Length, m[0].Length]).to(dtype);

    [Theory]
    [InlineData(8, 16, 10.0, -10.0, true, ScalarType.Float32)]    // OpenCLIP's SigLIP init: t = exp(ln 10), b = −10
    [InlineData(8, 16, 10.0, -10.0, true, ScalarType.Float64)]
    [InlineData(5, 7, 3.7, 1.25, false, ScalarType.Float32)]      // unnormalised features, positive bias
    [InlineData(16, 32, 112.5, -3.0, true, ScalarType.Float32)]   // large scale: logits far into the tails
    public void LossAndScaleBiasGradientsEqualTheFormulaInFloat64(int batch, int dim, double scale, double bias, bool normalize, ScalarType dtype)
    {
        var rng = new Random(batch * 1000 + dim);
        var x = RandomRows(rng, batch, dim, normalize);
        var y = RandomRows(rng, batch, dim, normalize);
        if (dtype == ScalarType.Float32) (scale, bias) = ((float)scale, (float)bias);   // the values the float32 tensors hold
        var expected = ByHand(x, y, scale, bias);

        var s = tensor(scale).to(dtype).requires_grad_();
        var b = tensor(bias).to(dtype).requires_grad_();
        var loss = SigLipLoss.Compute(ToTensor(x, dtype), ToTensor(y, dtype), s, b);
        loss.backward();

        // float32: a sum of B² terms of size ~1 each carries ~B²·2^-24 relative rounding; float64 is exact to ~1e-12
        double tol = dtype == ScalarType.Float64 ? 1e-10 : 2e-6 * Math.Max(1, expected.Loss);
        Assert.True(Math.Abs(Value(loss) - expected.Loss) <= tol, $"loss {Value(loss):R} vs {expected.Loss:R} (by hand)");
        Assert.True(Math.Abs(Value(b.grad!) - expected.DBias) <= tol, $"d/dbias {Value(b.grad!):R} vs {expected.DBias:R}");
        Assert.True(Math.Abs(Value(s.grad!) - expected.DScale) <= tol * Math.Max(1, Math.Abs(expected.DScale)),
            $"d/dscale {Value(s.grad!):R} vs {expected.DScale:R}");
    }

    [Fact]
    public void GoldenValueAtTheOpenClipInit()
    {
        // Two 2-d unit pairs, hand-checkable: x0=y0=(1,0), x1=y1=(0,1); t = 10, b = −10.
        // Positives: z = 10·1 − 10 = 0 → −log σ(0) = ln 2 each. Negatives: z = 10·0 − 10 = −10 → −log σ(10) = ln(1 + e^−10) each.
        // loss = (2 ln 2 + 2 ln(1 + e^−10)) / 2 = ln 2 + ln(1 + e^−10)
        var f = eye(2);
        var loss = Value(SigLipLoss.Compute(f, f, tensor(10f), tensor(-10f)));
        Assert.Equal(Math.Log(2) + Math.Log(1 + Math.Exp(-10)), loss, 6);   // float32
    }
}
