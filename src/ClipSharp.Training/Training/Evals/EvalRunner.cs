using ClipSharp.Core;
using ClipSharp.Data.Images;
using ClipSharp.Evaluation;
using ClipSharp.Modeling;
using ClipSharp.Text;
using ClipSharp.Training.Recipes;
using static TorchSharp.torch;

namespace ClipSharp.Training.Evals;

/// <summary>The result of one named evaluation: flat metrics (CLIP_benchmark names) and the raw result object.</summary>
public sealed record EvalOutcome(string Name, string Kind, IReadOnlyDictionary<string, double> Metrics, object Raw);

/// <summary>
/// Runs a recipe's evaluations by name during and after training. Datasets are loaded once, on first use. Kinds:
/// "retrieval" (Karpathy JSON + image root, <see cref="RetrievalEvaluator"/>) and "bags" (the built-in world's
/// fine-grained bags, <see cref="BagEvaluator"/>).
/// </summary>
public sealed class EvalRunner(IReadOnlyList<EvalRecipe> evals, ITextTokenizer tokenizer, EvalTransform transform, Device device)
{
    private readonly Dictionary<string, object> _datasets = [];

    /// <summary>The configured evaluations.</summary>
    public IReadOnlyList<EvalRecipe> Evals => evals;

    /// <summary>Checks kinds and paths up front so a typo fails before training, not after it.</summary>
    public void Validate()
    {
        foreach (var e in evals)
        {
            if (string.IsNullOrWhiteSpace(e.Name)) throw new ClipSharpException("Every entry of recipe.evals needs a name.");
            if (Kind(e) is not ("retrieval" or "bags"))
                throw new ClipSharpException($"Eval '{e.Name}': unknown kind \"{e.Kind}\" (expected retrieval or bags; zero-shot classification runs with `clipsharp eval zeroshot`).");
            if (!File.Exists(e.Path) && !Directory.Exists(e.Path)) throw new ClipSharpException($"Eval '{e.Name}': {e.Path} does not exist.");
        }
        if (evals.Select(e => e.Name).Distinct().Count() != evals.Count) throw new ClipSharpException("recipe.evals has two entries with the same name.");
    }

    /// <summary>The evaluations due after <paramref name="step"/> steps (every one at the end of training).</summary>
    public IEnumerable<EvalRecipe> Due(long step, bool final) =>
        evals.Where(e => final || (e.EverySteps > 0 && step > 0 && step % e.EverySteps == 0));

    /// <summary>Runs one evaluation on <paramref name="model"/> (left in eval mode; the caller restores train mode).</summary>
    public EvalOutcome Run(EvalRecipe e, ContrastiveModel model, Action<string>? log = null)
    {
        using var _ = no_grad();
        switch (Kind(e))
        {
            case "retrieval":
            {
                var data = Dataset(e, () => RetrievalDataset.FromKarpathyJson(e.Path, e.ImageRoot ?? Path.GetDirectoryName(Path.GetFullPath(e.Path))!, e.Split));
                var m = RetrievalEvaluator.Evaluate(model, tokenizer, transform, data, new RetrievalOptions { BatchSize = e.BatchSize, Device = device });
                return new EvalOutcome(e.Name, "retrieval", m.ToBenchmarkMetrics(), m);
            }
            default:
            {
                var bags = Dataset(e, () => BagSet.Load(e.Path));
                var m = BagEvaluator.Evaluate(model, tokenizer, transform, bags, new BagOptions { BatchSize = e.BatchSize, Device = device }, log);
                return new EvalOutcome(e.Name, "bags", m.ToBenchmarkMetrics(), m);
            }
        }
    }

    private T Dataset<T>(EvalRecipe e, Func<T> load) where T : class
    {
        if (!_datasets.TryGetValue(e.Name, out var d)) _datasets[e.Name] = d = load();
        return (T)d;
    }

    private static string Kind(EvalRecipe e) => e.Kind.Trim().ToLowerInvariant();
}
