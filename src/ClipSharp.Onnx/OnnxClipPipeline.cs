using ClipSharp.Core;
using ClipSharp.Data.Images;
using ClipSharp.Export;
using ClipSharp.Inference;
using ClipSharp.Text;

namespace ClipSharp.Onnx;

/// <summary>
/// A `clipsharp export onnx` folder on ONNX Runtime, with no TorchSharp: the same facade shape as ClipPipeline
/// (EncodeImage(s) from paths or bytes, EncodeText(s), ZeroShot), the same tokenizers and the same Pillow-exact
/// preprocessing (<see cref="EvalPreprocessor"/>), so its embeddings equal the TorchSharp pipeline's. Thread-safe:
/// ONNX Runtime sessions run concurrent calls; nothing here is mutable after <see cref="Load"/>.
/// </summary>
public sealed class OnnxClipPipeline : IClipEncoder, IDisposable
{
    private readonly OnnxGraphSession _image, _text;

    private OnnxClipPipeline(OnnxManifest manifest, OnnxGraphSession image, OnnxGraphSession text, ITextTokenizer tokenizer,
        EvalPreprocessor preprocess, OnnxClipOptions options)
    {
        (Manifest, _image, _text, Tokenizer, Preprocess, Options) = (manifest, image, text, tokenizer, preprocess, options);
    }

    /// <summary>The export's manifest.</summary>
    public OnnxManifest Manifest { get; }

    /// <summary>The tokenizer the export names (loaded from the folder's vocabulary files).</summary>
    public ITextTokenizer Tokenizer { get; }

    /// <summary>The eval preprocessing from preprocess_cfg.json.</summary>
    public EvalPreprocessor Preprocess { get; }

    /// <summary>The options it was loaded with.</summary>
    public OnnxClipOptions Options { get; }

    /// <inheritdoc/>
    public string Name => Manifest.ModelName;

    /// <inheritdoc/>
    public int EmbeddingDim => Manifest.EmbedDim;

    /// <summary>Loads an export folder: manifest, both graphs (one ONNX Runtime session each), preprocessing, tokenizer.</summary>
    public static OnnxClipPipeline Load(string folder, OnnxClipOptions? options = null)
    {
        options ??= new OnnxClipOptions();
        if (options.BatchSize < 1) throw new ClipSharpException($"OnnxClipOptions.BatchSize must be at least 1, got {options.BatchSize}.");
        if (!Directory.Exists(folder)) throw new ClipSharpException($"{folder}: ONNX export folder not found.");
        var manifest = OnnxManifest.Read(Path.Combine(folder, OnnxManifest.ManifestFile));
        var preprocessPath = Path.Combine(folder, OnnxManifest.PreprocessFile);
        if (!File.Exists(preprocessPath)) throw new ClipSharpException($"{preprocessPath}: missing (the export's preprocessing).");
        var preprocess = new EvalPreprocessor(PreprocessConfig.FromJson(File.ReadAllText(preprocessPath), preprocessPath));
        var tokenizer = TokenizerFactory.Create(new TokenizerSpec(manifest.HfTokenizerName, folder, manifest.ContextLength) { TokenizerMode = manifest.TokenizerMode });
        using var so = options.SessionOptions();
        var image = new OnnxGraphSession(Path.Combine(folder, OnnxManifest.ImageFile), OnnxManifest.ImageInput, OnnxManifest.ImageOutput, so);
        try
        {
            var text = new OnnxGraphSession(Path.Combine(folder, OnnxManifest.TextFile), OnnxManifest.TextInput, OnnxManifest.TextOutput, so);
            return new OnnxClipPipeline(manifest, image, text, tokenizer, preprocess, options);
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public float[][] EncodeTexts(IReadOnlyList<string> texts)
    {
        var rows = new List<float[]>(texts.Count);
        for (int from = 0; from < texts.Count; from += Options.BatchSize)
        {
            var part = texts.Skip(from).Take(Options.BatchSize).ToList();
            rows.AddRange(EncodeTokenIds(Tokenizer.EncodeBatch(part).SelectMany(r => r).ToArray(), part.Count));
        }
        return [.. rows];
    }

    /// <summary>The normalised embedding of one text.</summary>
    public float[] EncodeText(string text) => EncodeTexts([text])[0];

    /// <summary>Token ids (batch × context_length, row-major) → one normalised embedding per row; ids must be in [0, vocab_size).</summary>
    public float[][] EncodeTokenIds(long[] ids, int batch)
    {
        int ctx = Manifest.ContextLength;
        for (int i = 0; i < ids.Length; i++)
            if (ids[i] < 0 || ids[i] >= Manifest.VocabSize)
                throw new ClipSharpException($"{OnnxManifest.TextFile}: token id {ids[i]} at row {i / ctx}, position {i % ctx} is outside the vocabulary [0, {Manifest.VocabSize}).");
        return _text.Run(ids, [batch, ctx]);
    }

    /// <summary>Preprocessed pixels (batch × 3 × H × W, row-major, normalised) → one embedding per image.</summary>
    public float[][] EncodePixels(float[] pixels, int batch) =>
        _image.Run(pixels, [batch, 3, Preprocess.Config.Height, Preprocess.Config.Width]);

    /// <inheritdoc/>
    public float[][] EncodeImages(IReadOnlyList<byte[]> images) =>
        EncodeDecoded(images.Count, i => Preprocess.Decoder.Decode(images[i], $"image {i}", (Preprocess.Config.Height, Preprocess.Config.Width)), i => $"image {i}");

    /// <inheritdoc/>
    public float[][] EncodeImageFiles(IReadOnlyList<string> paths) => EncodeDecoded(paths.Count, i => Preprocess.Decode(paths[i]), i => paths[i]);

    /// <summary>The normalised embedding of one image file.</summary>
    public float[] EncodeImage(string path) => EncodeImageFiles([path])[0];

    /// <summary>The normalised embedding of one encoded image.</summary>
    public float[] EncodeImage(byte[] image) => EncodeImages([image])[0];

    /// <summary>Zero-shot classification of an image file among <paramref name="labels"/> (templates default "a photo of a {}."), in label order.</summary>
    public IReadOnlyList<LabelScore> ZeroShot(string imagePath, IReadOnlyList<string> labels, IReadOnlyList<string>? templates = null) =>
        ZeroShot(EncodeImage(imagePath), labels, templates);

    /// <summary>As <see cref="ZeroShot(string, IReadOnlyList{string}, IReadOnlyList{string}?)"/> for an encoded image.</summary>
    public IReadOnlyList<LabelScore> ZeroShot(byte[] image, IReadOnlyList<string> labels, IReadOnlyList<string>? templates = null) =>
        ZeroShot(EncodeImage(image), labels, templates);

    /// <summary>Class embeddings (C rows): each label's prompts embedded, averaged, renormalised.</summary>
    public float[][] ClassifierWeights(IReadOnlyList<string> labels, IReadOnlyList<string>? templates = null)
    {
        templates ??= ZeroShotPrompts.DefaultTemplates;
        if (labels.Count == 0) throw new ClipSharpException("No class names to build a zero-shot classifier from.");
        if (templates.Count == 0) throw new ClipSharpException("No prompt templates to build a zero-shot classifier from.");
        var all = EncodeTexts(labels.SelectMany(l => templates.Select(t => ZeroShotPrompts.Fill(t, l))).ToList());
        return Enumerable.Range(0, labels.Count).Select(c =>
        {
            var mean = new double[EmbeddingDim];
            for (int t = 0; t < templates.Count; t++)
                for (int k = 0; k < EmbeddingDim; k++) mean[k] += all[c * templates.Count + t][k];
            double norm = Math.Max(Math.Sqrt(mean.Sum(v => v * v)), 1e-12);
            return mean.Select(v => (float)(v / norm)).ToArray();
        }).ToArray();
    }

    private IReadOnlyList<LabelScore> ZeroShot(float[] image, IReadOnlyList<string> labels, IReadOnlyList<string>? templates)
    {
        var weights = ClassifierWeights(labels, templates);
        var sim = weights.Select(w => w.Select((v, k) => (double)v * image[k]).Sum()).ToArray();
        double scale = Options.ZeroShotScale ?? Manifest.LogitScale, max = sim.Max() * scale;
        var e = sim.Select(s => Math.Exp(s * scale - max)).ToArray();
        double total = e.Sum();
        return labels.Select((l, i) => new LabelScore(l, sim[i], e[i] / total)).ToList();
    }

    // decode + preprocess each batch's images in parallel, then one graph run per batch
    private float[][] EncodeDecoded(int count, Func<int, DecodedImage> decode, Func<int, string> name)
    {
        if (count == 0) throw new ClipSharpException("Nothing to encode (an empty list of images).");
        var rows = new List<float[]>(count);
        int n = 3 * Preprocess.Config.Height * Preprocess.Config.Width;
        for (int from = 0; from < count; from += Options.BatchSize)
        {
            int b = Math.Min(Options.BatchSize, count - from), start = from;
            var pixels = new float[b * n];
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Options.PreprocessThreads) };
            try
            {
                Parallel.For(0, b, parallel, i =>
                {
                    try
                    {
                        using var img = decode(start + i);
                        Preprocess.ApplyInto(img, pixels.AsSpan(i * n, n));
                    }
                    catch (Exception e) when (e is not ClipSharpException)
                    {
                        throw new ClipSharpException($"{name(start + i)}: cannot read the image ({e.Message}).", e);
                    }
                });
            }
            catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault() is ClipSharpException first) { throw first; }
            rows.AddRange(EncodePixels(pixels, b));
        }
        return [.. rows];
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _image.Dispose();
        _text.Dispose();
    }
}
