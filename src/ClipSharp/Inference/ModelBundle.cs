using ClipSharp.Data.Images;
using ClipSharp.Modeling;
using ClipSharp.Text;

namespace ClipSharp.Inference;

/// <summary>
/// A model ready for inference with what it needs around it: the tokenizer its text config names, the eval-time image
/// preprocessing, and where it came from. Built by <see cref="ModelLoader"/>.
/// </summary>
public sealed record ModelBundle(string Name, ContrastiveModel Model, ITextTokenizer Tokenizer, PreprocessConfig Preprocess, string Source);
