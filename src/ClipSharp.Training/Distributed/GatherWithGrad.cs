using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Distributed;

/// <summary>
/// All-gather that keeps the gradient (OpenCLIP's gather_with_grad): forward concatenates every rank's (B, …) tensor
/// into (W·B, …) in rank order; backward all-reduces (sums) the incoming (W·B, …) gradient over ranks and returns
/// this rank's B rows. So the local input receives Σ_q ∂L_q/∂x, the gradient of the sum of all ranks' losses that
/// used the gathered tensor, through the gathered path.
/// </summary>
public static class GatherWithGrad
{
    /// <summary>Gathers <paramref name="local"/> (same shape on every rank) with gradient.</summary>
    public static Tensor Apply(Tensor local, ICollectives c) =>
        c.WorldSize == 1 ? local : GatherFunction.apply(local, c);

    /// <summary>The custom autograd node; the collectives object travels as a non-tensor argument.</summary>
    private sealed class GatherFunction : autograd.SingleTensorFunction<GatherFunction>
    {
        public override string Name => "ClipSharpGatherWithGrad";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var local = (Tensor)vars[0];
            var c = (ICollectives)vars[1];
            ctx.save_data("c", c);
            ctx.save_data("rows", local.shape[0]);
            return c.AllGather(local);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad)
        {
            var c = (ICollectives)ctx.get_data("c");
            var rows = (long)ctx.get_data("rows");
            var summed = grad.contiguous().clone();
            c.AllReduce(summed, ReduceOp.Sum);
            return [summed.narrow(0, c.Rank * rows, rows), null!];
        }
    }
}
