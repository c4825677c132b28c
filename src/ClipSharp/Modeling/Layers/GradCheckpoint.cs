using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Modeling.Layers;

/// <summary>
/// Activation (gradient) checkpointing of one module call, as OpenCLIP's <c>set_grad_checkpointing()</c> does per
/// residual block with <c>torch.utils.checkpoint</c> (which TorchSharp 0.107 lacks): the forward runs without recording
/// a graph and keeps only its inputs; the backward re-runs it with gradients enabled on detached copies of the inputs
/// and returns d(inputs) and d(parameters) through the autograd engine, so the parameters' <c>.grad</c> accumulate
/// exactly as on the plain path. Built on TorchSharp's custom autograd function
/// (<c>torch.autograd.SingleTensorFunction</c>, since 0.102).
/// </summary>
/// <remarks>
/// The recomputation must see what the forward saw: the function must be deterministic given its inputs and the
/// module's parameters. ClipSharp's blocks are (no dropout inside attention or MLP; patch dropout happens before the
/// first block). Memory: the forward and the recomputation each run in their own dispose scope — the one place a
/// module manages scopes — because the step's scope would otherwise keep every intermediate alive until the step ends
/// and nothing would be saved. What stays alive per call: the inputs (the previous block's output) and the output.
/// </remarks>
public static class GradCheckpoint
{
    [ThreadStatic] private static long _recomputations;

    /// <summary>Recomputations (checkpointed backward calls) run on the calling thread so far: a diagnostic that shows
    /// checkpointing is active (CPU backward runs on the thread that called backward).</summary>
    public static long RecomputationsOnThisThread => _recomputations;

    /// <summary>
    /// fn(inputs), checkpointed when autograd would record it (gradients enabled and an input or a parameter of
    /// <paramref name="module"/> requires grad); otherwise a plain call. <paramref name="inputs"/> are every tensor fn
    /// reads besides the module's parameters (null entries allowed: masks, contexts); fn must not capture others.
    /// </summary>
    public static Tensor Run(nn.Module module, Func<Tensor?[], Tensor> fn, params Tensor?[] inputs)
    {
        var parameters = module.parameters().Where(p => p.requires_grad).ToArray();
        bool[] needsGrad = inputs.Select(t => t is { requires_grad: true }).ToArray();
        if (!is_grad_enabled() || (parameters.Length == 0 && !needsGrad.Any(n => n))) return fn(inputs);
        var args = new object?[1 + inputs.Length + parameters.Length];
        args[0] = new Plan(fn, needsGrad, parameters);
        Array.Copy(inputs, 0, args, 1, inputs.Length);
        Array.Copy(parameters, 0, args, 1 + inputs.Length, parameters.Length);
        return Recompute.apply(args!);
    }

    // What backward needs besides the saved inputs; the parameters are the module's own tensors (not saved copies).
    private sealed record Plan(Func<Tensor?[], Tensor> Fn, bool[] NeedsGrad, Parameter[] Parameters);

    /// <summary>The custom autograd node: args = [plan, inputs..., parameters...].</summary>
    private sealed class Recompute : autograd.SingleTensorFunction<Recompute>
    {
        // Gradients handed back to the engine by the previous backward on this thread: libtorch copied them when that
        // call returned, so the next call frees our handles at once instead of leaving them to the step's scope.
        [ThreadStatic] private static List<Tensor>? _handedBack;

        public override string Name => "GradCheckpoint";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var plan = (Plan)vars[0];
            var inputs = Inputs(vars, plan);
            ctx.save_data("plan", plan);
            ctx.save_for_backward(inputs.ToList()!);
            using var scope = NewDisposeScope();                    // grad is off here: only the output survives
            return scope.MoveToOuter(plan.Fn(inputs));
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            ReleaseHandedBack();
            _recomputations++;
            var plan = (Plan)ctx.get_data("plan");
            var grads = new Tensor?[1 + plan.NeedsGrad.Length + plan.Parameters.Length];
            using (var scope = NewDisposeScope())
            using (enable_grad())
            {
                var saved = ctx.get_saved_variables();
                var detached = saved.Select((t, i) => t is null ? null : t.detach().requires_grad_(plan.NeedsGrad[i])).ToArray();
                var output = plan.Fn(detached);
                var wrt = Enumerable.Range(0, detached.Length).Where(i => plan.NeedsGrad[i]).Select(i => detached[i]!)
                    .Concat(plan.Parameters).ToList();
                var d = autograd.grad([output], wrt, [gradOutput]);
                int k = 0;
                for (int i = 0; i < detached.Length; i++) if (plan.NeedsGrad[i]) grads[1 + i] = d[k++];
                for (int j = 0; j < plan.Parameters.Length; j++) grads[1 + detached.Length + j] = d[k++];
                scope.MoveToOuter(d);
                (_handedBack ??= []).AddRange(d);
            }
            gradOutput.Dispose();                                   // our handle only; the engine keeps its own
            return grads.ToList()!;
        }

        private static Tensor?[] Inputs(object[] vars, Plan plan)
        {
            var inputs = new Tensor?[plan.NeedsGrad.Length];
            for (int i = 0; i < inputs.Length; i++) inputs[i] = vars[1 + i] as Tensor;
            return inputs;
        }

        private static void ReleaseHandedBack()
        {
            if (_handedBack is null) return;
            foreach (var t in _handedBack) t.Dispose();
            _handedBack.Clear();
        }
    }
}
