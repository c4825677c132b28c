using ClipSharp.Encoders;
using ClipSharp.Core;
using ClipSharp.Data.Images;
using ClipSharp.Modeling;
using ClipSharp.Modeling.Generation;
using ClipSharp.Modeling.Layers;
using ClipSharp.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Inference;

/// <summary>
/// CLIP / CLIPS inside a .NET application: load once, then embed images and texts (L2-normalized float vectors),
/// classify an image zero-shot against labels, and caption it (CLIPS models). Work is batched; images are decoded and
/// preprocessed in parallel outside the model lock, and every model call holds one lock, so concurrent callers are safe.
/// </summary>
public sealed class ClipPipeline : IDisposable, IClipEncoder
{
    private readonly object _gate = new();
    private readonly PrecisionPolicy? _precision;   // bf16: owns the weights' bf16 copies
    private bool _disposed;

    /// <summary>The model (eval mode). Call it directly only under your own synchronisation.</summary>
    public ContrastiveModel Model { get; }

    /// <summary>The tokenizer matching the model's text tower.</summary>
    public ITextTokenizer Tokenizer { get; }

    /// <summary>The eval-time image preprocessing.</summary>
    public EvalTransform Transform { get; }

    /// <summary>The model name (config name or directory name).</summary>
    public string Name { get; }

    /// <summary>Where the model runs.</summary>
    public Device Device { get; }

    /// <summary>The settings it was created with.</summary>
    public ClipPipelineOptions Options { get; }

    /// <summary>Length of every embedding.</summary>
    public int EmbeddingDim => Model.Config.EmbedDim;

    /// <summary>True for CLIPS models, which can <see cref="Caption(string, GenerationOptions?)"/>.</summary>
    public bool CanCaption => Model is ClipsModel;

    /// <summary>Wraps an already loaded model (moved to <see cref="ClipPipelineOptions.Device"/> when one is given).</summary>
    public ClipPipeline(ContrastiveModel model, ITextTokenizer tokenizer, EvalTransform transform, ClipPipelineOptions? options = null, string? name = null)
    {
        Options = options ?? new ClipPipelineOptions();
        if (Options.BatchSize <= 0) throw new ClipSharpException($"Batch size must be positive, not {Options.BatchSize}.");
        if (tokenizer.ContextLength != model.ContextLength)
            throw new ClipSharpException($"The tokenizer makes rows of {tokenizer.ContextLength} ids but the model expects {model.ContextLength}.");
        if (Options.Device is { } d && d.type != BatchEncoder.DeviceOf(model).type) model.to(d);
        model.eval();
        if (Options.Precision == InferencePrecision.Bf16) PrecisionPolicies.Apply(model, _precision = PrecisionPolicy.InferenceBf16());
        Model = model;
        Tokenizer = tokenizer;
        Transform = transform;
        Name = name ?? model.Config.Name;
        Device = BatchEncoder.DeviceOf(model);
    }

    /// <summary>Loads a run directory or a local OpenCLIP / CLIPS Hugging Face directory (see <see cref="ModelLoader"/>).</summary>
    public static ClipPipeline Load(string directory, ClipPipelineOptions? options = null)
    {
        options ??= new ClipPipelineOptions();
        if (options.TuneProcess) { ProcessTuning.Apply(); VipsSettings.EnsureApplied(); }   // before the model's tensors exist
        return From(ModelLoader.FromDirectory(directory, options.Device, options.VocabPath), options);
    }

    /// <summary>Loads <paramref name="checkpoint"/> into the model <paramref name="config"/> (a name or file) describes.</summary>
    public static ClipPipeline Load(string config, string checkpoint, ClipPipelineOptions? options = null)
    {
        options ??= new ClipPipelineOptions();
        if (options.TuneProcess) { ProcessTuning.Apply(); VipsSettings.EnsureApplied(); }
        return From(ModelLoader.FromCheckpoint(config, checkpoint, options.Device, options.VocabPath), options);
    }

    /// <summary>Wraps a loaded bundle.</summary>
    public static ClipPipeline From(ModelBundle bundle, ClipPipelineOptions? options = null) =>
        new(bundle.Model, bundle.Tokenizer, new EvalTransform(bundle.Preprocess), options, bundle.Name);

    /// <summary>One normalized embedding per image file.</summary>
    public float[][] EncodeImages(IReadOnlyList<string> paths) => Rows(EncodeImagesTensor(paths.Count, i => Transform.Apply(paths[i]), i => paths[i]));

    /// <summary>One normalized embedding per encoded image (JPEG, PNG, WebP, ... bytes).</summary>
    public float[][] EncodeImages(IReadOnlyList<byte[]> images) => Rows(EncodeImagesTensor(images.Count, i => ApplyBytes(images[i], $"image {i}"), i => $"image {i}"));

    /// <summary>One normalized embedding per image file (the <see cref="IClipEncoder"/> name of <see cref="EncodeImages(IReadOnlyList{string})"/>).</summary>
    public float[][] EncodeImageFiles(IReadOnlyList<string> paths) => EncodeImages(paths);

    /// <summary>The normalized embedding of one image file.</summary>
    public float[] EncodeImage(string path) => EncodeImages([path])[0];

    /// <summary>The normalized embedding of one encoded image.</summary>
    public float[] EncodeImage(byte[] image) => EncodeImages([image])[0];

    /// <summary>One normalized embedding per text.</summary>
    public float[][] EncodeTexts(IReadOnlyList<string> texts) => Rows(EncodeTextsTensor(texts));

    /// <summary>The normalized embedding of one text.</summary>
    public float[] EncodeText(string text) => EncodeTexts([text])[0];

    /// <summary>Texts → (N, E) float32 CPU tensor of unit rows (the caller owns it).</summary>
    public Tensor EncodeTextsTensor(IReadOnlyList<string> texts)
    {
        lock (_gate) return BatchEncoder.EncodeTexts(Live(), Tokenizer, texts, Options.BatchSize * 4, Device);
    }

    /// <summary>Preprocessed images (N, 3, H, W) (any device) → (N, E) float32 CPU tensor of unit rows (the caller owns it).</summary>
    public Tensor EncodePixels(Tensor images)
    {
        lock (_gate) return BatchEncoder.EncodeImageTensor(Live(), images, Options.BatchSize, Device);
    }

    /// <summary>Image files → (N, E) float32 CPU tensor of unit rows (the caller owns it).</summary>
    public Tensor EncodeImageFilesTensor(IReadOnlyList<string> paths) => EncodeImagesTensor(paths.Count, i => Transform.Apply(paths[i]), i => paths[i]);

    /// <summary>
    /// Zero-shot classification of an image file among <paramref name="labels"/>, each prompted through
    /// <paramref name="templates"/> (default "a photo of a {}."); answers in label order.
    /// </summary>
    public IReadOnlyList<LabelScore> ZeroShot(string imagePath, IReadOnlyList<string> labels, IReadOnlyList<string>? templates = null) =>
        ZeroShot(EncodeImageFilesTensor([imagePath]), labels, templates);

    /// <summary>As <see cref="ZeroShot(string, IReadOnlyList{string}, IReadOnlyList{string}?)"/> for an encoded image.</summary>
    public IReadOnlyList<LabelScore> ZeroShot(byte[] image, IReadOnlyList<string> labels, IReadOnlyList<string>? templates = null) =>
        ZeroShot(EncodeImagesTensor(1, _ => ApplyBytes(image, "image"), _ => "image"), labels, templates);

    /// <summary>Class embeddings (C, E) for labels × templates (see <see cref="ZeroShotHead"/>); reuse them for many images.</summary>
    public Tensor ClassifierWeights(IReadOnlyList<string> labels, IReadOnlyList<string>? templates = null)
    {
        lock (_gate) return ZeroShotHead.Build(Live(), Tokenizer, labels, templates ?? ZeroShotHead.DefaultTemplates, Options.BatchSize * 4, Device);
    }

    /// <summary>A caption of an image file (CLIPS models only).</summary>
    public string Caption(string imagePath, GenerationOptions? generation = null) => Captions([imagePath], generation)[0];

    /// <summary>A caption of an encoded image (CLIPS models only).</summary>
    public string Caption(byte[] image, GenerationOptions? generation = null) =>
        CaptionCore(1, _ => ApplyBytes(image, "image"), _ => "image", generation)[0];

    /// <summary>One caption per image file (CLIPS models only), batched.</summary>
    public string[] Captions(IReadOnlyList<string> imagePaths, GenerationOptions? generation = null) =>
        CaptionCore(imagePaths.Count, i => Transform.Apply(imagePaths[i]), i => imagePaths[i], generation);

    /// <summary>
    /// One result per image file (CLIPS models only), batched; a file that cannot be read or decoded comes back with its
    /// error instead of failing the others.
    /// </summary>
    public IReadOnlyList<FileCaption> CaptionFiles(IReadOnlyList<string> imagePaths, GenerationOptions? generation = null)
    {
        var result = new FileCaption[imagePaths.Count];
        for (int from = 0; from < imagePaths.Count; from += Options.BatchSize)
        {
            int n = Math.Min(Options.BatchSize, imagePaths.Count - from), start = from;
            var loaded = new Tensor?[n];
            try
            {
                Parallel.For(0, n, i =>
                {
                    var path = imagePaths[start + i];
                    try { loaded[i] = Transform.Apply(path); }
                    catch (Exception e) { result[start + i] = new FileCaption(path, null, e is ClipSharpException ? e.Message : $"{path}: cannot read the image ({e.Message})."); }
                });
                var ok = Enumerable.Range(0, n).Where(i => loaded[i] is not null).ToList();
                if (ok.Count == 0) continue;
                var caps = CaptionCore(ok.Count, k => loaded[ok[k]]!.alias(), k => imagePaths[start + ok[k]], generation);
                for (int k = 0; k < ok.Count; k++) result[start + ok[k]] = new FileCaption(imagePaths[start + ok[k]], caps[k], null);
            }
            finally { foreach (var t in loaded) t?.Dispose(); }
        }
        return result;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            Model.Dispose();
            _precision?.Dispose();
        }
    }

    private IReadOnlyList<LabelScore> ZeroShot(Tensor image, IReadOnlyList<string> labels, IReadOnlyList<string>? templates)
    {
        using var img = image;
        using var weights = ClassifierWeights(labels, templates);
        using var sim = img.matmul(weights.t())[0];                                  // (C)
        double scale;
        lock (_gate) scale = Options.ZeroShotScale ?? Live().logit_scale.exp().item<float>();
        using var scaleScalar = scale.ToScalar();
        using var prob = sim.mul(scaleScalar).softmax(0);
        var s = sim.data<float>().ToArray();
        var p = prob.data<float>().ToArray();
        return labels.Select((l, i) => new LabelScore(l, s[i], p[i])).ToList();
    }

    private string[] CaptionCore(int count, Func<int, Tensor> load, Func<int, string> name, GenerationOptions? generation)
    {
        if (Model is not ClipsModel clips)
            throw new ClipSharpException($"Model {Name} has no caption decoder; captions need a CLIPS model (a config with decoder_cfg).");
        var result = new List<string>(count);
        for (int from = 0; from < count; from += Options.BatchSize)
        {
            using var scope = NewDisposeScope();
            var batch = Preprocess(from, Math.Min(Options.BatchSize, count - from), load, name);
            lock (_gate)
            {
                Live();
                using var _ = no_grad();
                result.AddRange(CaptionGenerator.Generate(clips, batch.to(Device), null, Tokenizer, generation ?? Options.Generation));
            }
        }
        return result.ToArray();
    }

    private Tensor EncodeImagesTensor(int count, Func<int, Tensor> load, Func<int, string> name)
    {
        if (count == 0) throw new ClipSharpException("Nothing to encode (an empty list of images).");
        var parts = new List<Tensor>();
        try
        {
            for (int from = 0; from < count; from += Options.BatchSize)
            {
                using var scope = NewDisposeScope();
                var batch = Preprocess(from, Math.Min(Options.BatchSize, count - from), load, name);
                lock (_gate)
                {
                    using var _ = no_grad();
                    parts.Add(Live().EncodeImage(batch.to(Device), normalize: true).to(ScalarType.Float32).cpu().MoveToOuterDisposeScope());
                }
            }
            return torch.cat(parts, 0);
        }
        finally { foreach (var p in parts) p.Dispose(); }
    }

    // decode + preprocess count images in parallel on the CPU → (count, 3, H, W)
    private static Tensor Preprocess(int from, int count, Func<int, Tensor> load, Func<int, string> name)
    {
        var chw = new Tensor[count];
        try
        {
            Parallel.For(0, count, i =>
            {
                try { chw[i] = load(from + i); }
                catch (Exception e) when (e is not ClipSharpException)
                {
                    throw new ClipSharpException($"{name(from + i)}: cannot read the image ({e.Message}).", e);
                }
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault() is ClipSharpException first)
        {
            foreach (var t in chw) t?.Dispose();
            throw first;
        }
        return torch.stack(chw);
    }

    private Tensor ApplyBytes(byte[] bytes, string name)
    {
        using var img = Transform.Decoder.Decode(bytes, name, (Transform.Config.Height, Transform.Config.Width));
        return Transform.Apply(img);
    }

    private ContrastiveModel Live() => _disposed ? throw new ObjectDisposedException(nameof(ClipPipeline)) : Model;

    private static float[][] Rows(Tensor t)
    {
        using (t)
        {
            int n = (int)t.shape[0], e = (int)t.shape[1];
            var flat = t.contiguous().data<float>().ToArray();
            return Enumerable.Range(0, n).Select(i => flat.AsSpan(i * e, e).ToArray()).ToArray();
        }
    }
}
