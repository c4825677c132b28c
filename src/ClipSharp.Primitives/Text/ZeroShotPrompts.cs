namespace ClipSharp.Text;

/// <summary>Zero-shot prompts: class names filled into templates (shared by the TorchSharp and ONNX Runtime facades).</summary>
public static class ZeroShotPrompts
{
    /// <summary>The placeholder a template's class name replaces.</summary>
    public const string Placeholder = "{}";

    /// <summary>The single template used when none is given (OpenCLIP's simplest prompt).</summary>
    public static readonly IReadOnlyList<string> DefaultTemplates = ["a photo of a {}."];

    /// <summary>The template with <see cref="Placeholder"/> replaced by the class name (appended when absent).</summary>
    public static string Fill(string template, string className) =>
        template.Contains(Placeholder, StringComparison.Ordinal)
            ? template.Replace(Placeholder, className, StringComparison.Ordinal)
            : $"{template} {className}".Trim();
}
