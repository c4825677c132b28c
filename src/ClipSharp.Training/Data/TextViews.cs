using ClipSharp.Core;

namespace ClipSharp.Data;

/// <summary>The token views a loader can produce per sample (see <see cref="CaptionViewOptions"/>).</summary>
public enum TextView
{
    /// <summary>The web caption's ids, (ctx).</summary>
    Web,
    /// <summary>The partial (token-reduced) synthetic caption, (ctx).</summary>
    Partial,
    /// <summary>The full synthetic caption, truncated to ctx.</summary>
    Synthetic,
    /// <summary>Web with probability p, else partial (or full) synthetic: the mixture baselines.</summary>
    Mix,
    /// <summary>The captioner's targets, (T): the full synthetic caption shifted by one (or the web caption on fallback).</summary>
    Targets,
}

/// <summary>
/// One value per <see cref="TextView"/> (null where the task did not ask for that view): token rows of one sample
/// (<c>TextViews&lt;long[]&gt;</c>) or of a batch (<c>TextViews&lt;Tensor&gt;</c>, int64 (B, ctx) or (B, T)).
/// </summary>
public sealed record TextViews<T>(T? Web = null, T? Partial = null, T? Synthetic = null, T? Mix = null, T? Targets = null) where T : class
{
    /// <summary>The value of <paramref name="view"/>; a view the loader was not asked for is an error naming it.</summary>
    public T this[TextView view] => view switch
    {
        TextView.Web => Web,
        TextView.Partial => Partial,
        TextView.Synthetic => Synthetic,
        TextView.Mix => Mix,
        TextView.Targets => Targets,
        _ => null,
    } ?? throw new ClipSharpException($"The batch has no '{view}' token view (the task's CaptionViewOptions did not ask for it).");

    /// <summary>The views present, in <see cref="TextView"/> order.</summary>
    public IEnumerable<(TextView View, T Value)> Present()
    {
        if (Web is not null) yield return (TextView.Web, Web);
        if (Partial is not null) yield return (TextView.Partial, Partial);
        if (Synthetic is not null) yield return (TextView.Synthetic, Synthetic);
        if (Mix is not null) yield return (TextView.Mix, Mix);
        if (Targets is not null) yield return (TextView.Targets, Targets);
    }

    /// <summary>The same views, each mapped by <paramref name="f"/>.</summary>
    public TextViews<TOut> Select<TOut>(Func<T, TOut> f) where TOut : class =>
        new(Web is null ? null : f(Web), Partial is null ? null : f(Partial), Synthetic is null ? null : f(Synthetic),
            Mix is null ? null : f(Mix), Targets is null ? null : f(Targets));

    /// <summary>Combines several samples' (or micro-batches') views view by view with <paramref name="combine"/>.</summary>
    public static TextViews<TOut> Combine<TOut>(IReadOnlyList<TextViews<T>> parts, Func<IReadOnlyList<T>, TOut> combine) where TOut : class
    {
        TOut? One(Func<TextViews<T>, T?> get) => get(parts[0]) is null ? null : combine(parts.Select(p => get(p)!).ToList());
        return new(One(p => p.Web), One(p => p.Partial), One(p => p.Synthetic), One(p => p.Mix), One(p => p.Targets));
    }
}
