namespace ClipSharp.Inference;

/// <summary>A zero-shot answer: the label, its cosine similarity to the image, and its softmax probability over the labels.</summary>
public sealed record LabelScore(string Label, double Similarity, double Probability);
