using ClipSharp.Modeling;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Modeling;

/// <summary>The prefix-LM mask blocks exactly what it should (spec §4.3).</summary>
public class CaptionDecoderMaskTests
{
    private static CaptionDecoder Decoder()
    {
        manual_seed(7);
        return new CaptionDecoder(new DecoderConfig { Width = 16, Layers = 2, Heads = 2, NumLearnableTokens = 6, OutputLength = 6 }, 12, 10, 50);
    }

    [Fact]
    public void MaskLayoutIsPrefixBidirectionalAndQueriesCausal()
    {
        var m = CaptionDecoder.PrefixLmMask(3, 4, ScalarType.Float32, CPU);
        bool Open(int r, int c) => m[r, c].item<float>() == 0f;
        for (int r = 0; r < 7; r++)
            for (int c = 0; c < 7; c++)
            {
                bool expected = r < 3 ? c < 3 : c < 3 || c <= r;
                Assert.True(Open(r, c) == expected, $"mask[{r},{c}] should be {(expected ? "open" : "blocked")}");
            }
    }

    [Fact]
    public void ChangingALaterQueryNeverChangesAnEarlierOne()
    {
        var d = Decoder();
        d.eval();
        using var _ = no_grad();
        var (img, web) = (randn(2, 5, 12), randn(2, 4, 10));
        var before = d.forward(img, web);
        d.queries[4].add_(randn(16) * 3);  // perturb query 4 of 6 (not by a constant: LayerNorm would remove it)
        var after = d.forward(img, web);
        Assert.True(before[.., ..4].allclose(after[.., ..4], 0, 1e-6), "queries 0-3 changed when query 4 changed");
        Assert.False(before[.., 4..].allclose(after[.., 4..], 0, 1e-3), "queries 4-5 should change");
    }

    [Fact]
    public void QueriesNeverChangeThePrefix()
    {
        var d = Decoder();
        d.eval();
        using var _ = no_grad();
        var (img, web) = (randn(2, 5, 12), randn(2, 4, 10));
        var prefixStates = new List<Tensor>();
        // Run the stack by hand twice with different queries and compare the prefix rows of every block.
        Tensor Run(Tensor q)
        {
            var prefix = cat([d.img_proj.forward(img), d.txt_proj.forward(web)], 1);
            var x = cat([prefix, q.expand(2, -1, -1)], 1);
            var mask = CaptionDecoder.PrefixLmMask(9, 6, ScalarType.Float32, CPU);
            return d.transformer.forward(x, mask)[.., ..9];
        }
        var a = Run(d.queries);
        var b = Run(randn(6, 16) * 5);
        Assert.True(a.allclose(b, 0, 1e-6), "prefix outputs depend on the queries");
    }
}
