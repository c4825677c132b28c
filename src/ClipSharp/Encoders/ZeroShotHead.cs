using ClipSharp.Core;
using ClipSharp.Modeling;
using ClipSharp.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Encoders;

/// <summary>
/// Zero-shot classifier weights: for each class, every template filled with the class name is encoded and
/// L2-normalized, the template embeddings are averaged and the mean is normalized again (CLIP's prompt ensembling).
/// </summary>
public static class ZeroShotHead
{
    /// <summary>The placeholder a template marks the class name with.</summary>
    public const string Placeholder = ZeroShotPrompts.Placeholder;

    /// <summary>The single template used when none are given.</summary>
    public static readonly IReadOnlyList<string> DefaultTemplates = ZeroShotPrompts.DefaultTemplates;

    /// <summary>classNames (C) × templates (T) → (C, E) float32 CPU tensor of unit rows; the model in eval mode.</summary>
    public static Tensor Build(ContrastiveModel model, ITextTokenizer tokenizer, IReadOnlyList<string> classNames,
        IReadOnlyList<string> templates, int batchSize = 256, Device? device = null, Action<int, int>? progress = null)
    {
        if (classNames.Count == 0) throw new ClipSharpException("No class names to build a zero-shot classifier from.");
        if (templates.Count == 0) throw new ClipSharpException("No prompt templates to build a zero-shot classifier from.");
        var texts = classNames.SelectMany(c => templates.Select(t => Fill(t, c))).ToList();   // class-major: (C·T)
        using var _ = no_grad();
        using var all = BatchEncoder.EncodeTexts(model, tokenizer, texts, batchSize, device, progress);   // (C·T, E)
        using var mean = all.view(classNames.Count, templates.Count, -1).mean([1]);                     // (C, E)
        return nn.functional.normalize(mean, p: 2, dim: -1);
    }

    /// <summary>The prompt for one class: every "{}" replaced by the name; a template without one is prefixed to it.</summary>
    public static string Fill(string template, string className) => ZeroShotPrompts.Fill(template, className);
}
