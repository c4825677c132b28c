namespace ClipSharp.Inference;

/// <summary>
/// A loaded CLIP / CLIPS model seen as two embedders into one space, whatever runs it: the TorchSharp facade
/// (<c>ClipPipeline</c>, package ClipSharpNet) or the ONNX Runtime one (package ClipSharpNet.Onnx). Every returned row
/// is L2-normalised and <see cref="EmbeddingDim"/> long, so the cosine similarity of a text and an image is their dot
/// product. Implementations are safe to call from several threads at once and batch internally.
/// </summary>
public interface IClipEncoder
{
    /// <summary>The model's name (config name or folder name), used as the model id by the embedding generators.</summary>
    string Name { get; }

    /// <summary>Length of every embedding.</summary>
    int EmbeddingDim { get; }

    /// <summary>One normalised embedding per text, in order. An empty list gives an empty array.</summary>
    float[][] EncodeTexts(IReadOnlyList<string> texts);

    /// <summary>
    /// One normalised embedding per encoded image (JPEG, PNG, WebP, GIF, ... bytes), in order, preprocessed exactly as
    /// the model's Pillow-based training pipeline did. An undecodable image is a <see cref="Core.ClipSharpException"/>
    /// naming its index.
    /// </summary>
    float[][] EncodeImages(IReadOnlyList<byte[]> images);

    /// <summary>One normalised embedding per image file, in order; errors name the file.</summary>
    float[][] EncodeImageFiles(IReadOnlyList<string> paths);
}
