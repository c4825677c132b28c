using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Modeling.Layers;

/// <summary>
/// The dtype a model computes in, as a property of the model (big_vision style) rather than a process-wide autocast,
/// which TorchSharp 0.107 does not bind. Parameters keep their own dtype (fp32 master weights under amp); the
/// residual stream, LayerNorm, embeddings, the final projections and every loss run in the parameters' dtype; the
/// matrix products of linear layers, attention projections, MLPs, the patch embedding and the decoder heads cast
/// their input and weight to <see cref="Matmul"/> (autograd carries the gradient back to the fp32 master through the
/// cast). Attention's softmax(QKᵀ)V runs in <see cref="Attention"/> (per measured speed: libtorch's CPU
/// scaled_dot_product_attention was slower in bf16 at ViT-B-32 shapes). A block's output is cast back to the stream
/// dtype at the residual sum (type promotion). Set on a model with <see cref="PrecisionPolicies.Apply"/>.
/// </summary>
public sealed class PrecisionPolicy : IDisposable
{
    private readonly ConditionalWeakTable<Tensor, Tensor>? _cache;
    private readonly List<Tensor> _cached = [];
    private readonly object _gate = new();

    private PrecisionPolicy(string name, ScalarType? matmul, ScalarType? attention, bool cacheWeights)
    {
        Name = name;
        Matmul = matmul;
        Attention = attention;
        if (cacheWeights) _cache = new ConditionalWeakTable<Tensor, Tensor>();
    }

    /// <summary>Everything in the parameters' dtype (fp32 models: plain fp32; a model cast to bf16: pure bf16).</summary>
    public static PrecisionPolicy Native { get; } = new("native", null, null, false);

    /// <summary>Training in amp_bf16: matmuls in bf16 on per-call casts of the fp32 weights (cast inside autograd).</summary>
    public static PrecisionPolicy AmpBf16(ScalarType? attention = null) => new("amp_bf16", ScalarType.BFloat16, attention, false);

    /// <summary>Training in amp_fp16 (CUDA): as <see cref="AmpBf16"/> with fp16 matmuls; needs loss scaling.</summary>
    public static PrecisionPolicy AmpFp16(ScalarType? attention = null) => new("amp_fp16", ScalarType.Float16, attention, false);

    /// <summary>
    /// Inference in bf16: as <see cref="AmpBf16"/>, but each weight is cast once and kept (outside autograd) for
    /// the life of the policy. Only for models whose weights no longer change; dispose to free the copies.
    /// </summary>
    public static PrecisionPolicy InferenceBf16(ScalarType? attention = null) => new("bf16", ScalarType.BFloat16, attention, true);

    public string Name { get; }

    /// <summary>The dtype of matrix products (null = the parameters' dtype).</summary>
    public ScalarType? Matmul { get; }

    /// <summary>The dtype of scaled_dot_product_attention (null = the stream dtype).</summary>
    public ScalarType? Attention { get; }

    /// <summary>x·Wᵀ + b in <see cref="Matmul"/>; the result stays in that dtype (the residual sum promotes it back).</summary>
    public Tensor Linear(Tensor x, Tensor weight, Tensor? bias) => Matmul is { } dt
        ? nn.functional.linear(x.to(dt), Cast(weight), bias is null ? null : Cast(bias))
        : nn.functional.linear(x, weight, bias);

    /// <summary>x·W (a projection stored as (in, out), e.g. OpenCLIP's `proj`) in <see cref="Matmul"/>.</summary>
    public Tensor MatMul(Tensor x, Tensor weight) => Matmul is { } dt ? x.to(dt).matmul(Cast(weight)) : x.matmul(weight);

    /// <summary>A weight in <see cref="Matmul"/>: a fresh (autograd-tracked) cast, or the kept copy under inference.</summary>
    public Tensor Cast(Tensor weight)
    {
        var dt = Matmul ?? weight.dtype;
        if (weight.dtype == dt) return weight;
        if (_cache is null || torch.is_grad_enabled()) return weight.to(dt);
        lock (_gate)
        {
            if (_cache.TryGetValue(weight, out var kept) && !kept.IsInvalid) return kept;
            using (torch.no_grad()) kept = weight.detach().to(dt);
            kept.DetachFromDisposeScope();
            _cache.AddOrUpdate(weight, kept);
            _cached.Add(kept);
            return kept;
        }
    }

    /// <summary>q, k, v in <see cref="Attention"/> (and a floating mask with them); the caller casts the result.</summary>
    public (Tensor Q, Tensor K, Tensor V, Tensor? Mask) ForAttention(Tensor q, Tensor k, Tensor v, Tensor? mask, ScalarType stream)
    {
        var dt = Attention ?? stream;
        if (mask is not null && mask.is_floating_point() && mask.dtype != dt) mask = mask.to(dt);
        return (q.to(dt), k.to(dt), v.to(dt), mask);
    }

    public override string ToString() => Name;

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var t in _cached) t.Dispose();
            _cached.Clear();
        }
    }
}

/// <summary>A module that computes matrix products and follows the model's <see cref="PrecisionPolicy"/>.</summary>
public interface IPrecisionAware
{
    PrecisionPolicy Precision { get; set; }
}

/// <summary>Sets a policy on every module of a model that computes matrix products.</summary>
public static class PrecisionPolicies
{
    /// <summary>Sets <paramref name="policy"/> on <paramref name="model"/> and all its submodules; returns how many took it.</summary>
    public static int Apply(nn.Module model, PrecisionPolicy policy)
    {
        int n = 0;
        foreach (var m in model.modules().Prepend(model).OfType<IPrecisionAware>()) { m.Precision = policy; n++; }  // TorchSharp's modules() omits the module itself
        return n;
    }
}
