using ClipSharp.Core;
using ClipSharp.Data.Images;
using ClipSharp.Data.Sources;
using ClipSharp.Text;

namespace ClipSharp.Data.Pipeline;

/// <summary>
/// What a decode worker does to one record: load it (read / parse fields), check the captions the views need,
/// decode the image, apply the eval or train transform (augmentation seeded by (seed, epoch, key)), normalise,
/// tokenize and reduce. Stateless per call and thread-safe; throws <see cref="BadSampleException"/> for bad input.
/// </summary>
internal sealed class SampleProcessor
{
    private readonly LoaderOptions _o;
    private readonly ImageDecoder _decoder;
    private readonly EvalTransform? _eval;
    private readonly TrainTransform? _train;
    private readonly CaptionTokenReducer? _reducer;
    private readonly ITextTokenizer _tok;

    public SampleProcessor(LoaderOptions options)
    {
        _o = options;
        _decoder = new ImageDecoder(options.Decoder);
        if (options.Augment is null) _eval = new EvalTransform(options.Preprocess, _decoder);
        else _train = new TrainTransform(options.Preprocess, options.Augment);
        _tok = options.Captions.Tokenizer;
        if (options.Captions.Partial is { } p) _reducer = new CaptionTokenReducer(_tok, p with { Seed = options.Seed });
    }

    public ProcessedSample Process(SourceRecord record, long epoch)
    {
        var s = record.Load();
        var views = _o.Captions;
        if (views.NeedsWeb) Require(s, s.WebCaption, BadSampleReasons.MissingWebCaption, BadSampleReasons.EmptyWebCaption, "web");
        if (views.NeedsSynthetic) Require(s, s.SyntheticCaption, BadSampleReasons.MissingSyntheticCaption, BadSampleReasons.EmptySyntheticCaption, "synthetic");
        var pixels = Pixels(s, epoch);

        var web = views.Web ? _tok.Encode(s.WebCaption!) : null;
        var partial = _reducer?.ReduceToRow(s.SyntheticCaption!, s.WebCaption, epoch, s.Key);
        var synthetic = views.SyntheticFull ? _tok.Encode(s.SyntheticCaption!) : null;
        // Decoder targets: the full synthetic caption, or the web caption when the synthetic one has no sentence
        // (spec §2.2: key2_text = txt); the loss ignores padding by the pad id (CaptionTargets.Mask == targets != pad).
        var targets = views.TargetLength is { } t
            ? CaptionTargets.For(_tok, CaptionTargets.TargetText(s.SyntheticCaption!, s.WebCaption), t).Targets : null;
        var mix = views.MixWebProbability is { } p
            ? LoaderRandom.MixTakesWeb(_o.Seed, epoch, s.Key, p)
                ? web ?? _tok.Encode(s.WebCaption!)
                : partial ?? synthetic ?? _tok.Encode(s.SyntheticCaption!)
            : null;
        var rows = new TextViews<long[]>(web, partial, synthetic, mix, targets);
        return new ProcessedSample { Key = s.Key, Origin = s.Origin, Pixels = pixels, Rows = rows };
    }

    private static void Require(Sample s, string? text, string missing, string empty, string what)
    {
        if (text is null) throw new BadSampleException(missing, s.Origin, s.Key, $"the sample has no {what} caption");
        if (string.IsNullOrWhiteSpace(text)) throw new BadSampleException(empty, s.Origin, s.Key, $"the {what} caption is empty");
    }

    private float[] Pixels(Sample s, long epoch)
    {
        if (s.ImageBytes.Length == 0) throw new BadSampleException(BadSampleReasons.EmptyImage, s.Origin, s.Key, $"the {s.ImageExt} image is 0 bytes");
        var cfg = _o.Preprocess;
        var name = $"{s.Key}.{s.ImageExt}";
        DecodedImage img;
        try { img = _decoder.Decode(s.ImageBytes, name, (cfg.Height, cfg.Width)); }
        catch (ClipSharpException e) { throw Classify(s.Origin, s.Key, e); }
        catch (NetVips.VipsException e) { throw new BadSampleException(BadSampleReasons.CorruptImage, s.Origin, s.Key, $"cannot decode {name} ({FirstLine(e)})", e); }
        using (img)
        {
            byte[] hwc;
            try
            {
                hwc = _train is not null
                    ? _train.ApplyBytes(img, LoaderRandom.Augmentation(_o.Seed, epoch, s.Key))
                    : _eval!.ApplyBytes(img);
            }
            catch (NetVips.VipsException e)
            {
                throw new BadSampleException(BadSampleReasons.CorruptImage, s.Origin, s.Key, $"cannot transform {name} ({FirstLine(e)})", e);
            }
            var chw = new float[3 * cfg.Height * cfg.Width];
            ImageTensors.NormalizeInto(hwc, chw, cfg);
            return chw;
        }
    }

    // The decoder's messages name the cause; map them onto reasons (also used by Workflows.Probes.ProbeSamples).
    internal static BadSampleException Classify(string origin, string key, ClipSharpException e)
    {
        var m = e.Message;
        var reason = m.Contains("over the limit", StringComparison.Ordinal) ? BadSampleReasons.ImageTooLarge
            : m.Contains("empty", StringComparison.Ordinal) ? BadSampleReasons.EmptyImage
            : BadSampleReasons.CorruptImage;
        var detail = m.StartsWith(key, StringComparison.Ordinal) && m.IndexOf(": ", StringComparison.Ordinal) is var i and > 0 ? m[(i + 2)..] : m;
        return new BadSampleException(reason, origin, key, detail.TrimEnd('.'), e);
    }

    internal static string FirstLine(Exception e) => e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? e.GetType().Name;
}
