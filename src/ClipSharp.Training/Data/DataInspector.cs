using System.Text.Json.Nodes;
using ClipSharp.Data.Images;
using ClipSharp.Data.Sources;
using ClipSharp.Text;

namespace ClipSharp.Data;

/// <summary>
/// Reads a source once in canonical order (no shuffling) and reports what is in it: samples read and usable, field
/// coverage, caption length distributions (words, sentences and, with a tokenizer, tokens; web vs synthetic), bad
/// samples by reason (every image is fully decoded, so corrupt ones are found), and a few examples.
/// </summary>
public static class DataInspector
{
    /// <summary>Inspects at most <paramref name="limit"/> records (null: all) of <paramref name="spec"/>.</summary>
    public static JsonObject Inspect(DataSourceSpec spec, long? limit = null, ITextTokenizer? tokenizer = null, int examples = 3, ImageDecoderOptions? decoder = null)
    {
        var source = DataSources.Open(spec);
        var bad = new BadSampleLog();
        var dec = new ImageDecoder(decoder ?? new ImageDecoderOptions(ShrinkOnLoad: true));
        var web = new CaptionStats(tokenizer);
        var syn = new CaptionStats(tokenizer);
        var shown = new JsonArray();
        var warned = new JsonArray();
        long read = 0, usable = 0, warnedCount = 0;
        foreach (var record in Enumerable.Range(0, source.Shards.Count).SelectMany(source.Read))
        {
            if (limit is { } l && read >= l) break;
            read++;
            try
            {
                var s = record.Load();
                if (s.ImageBytes.Length == 0) throw new BadSampleException(BadSampleReasons.EmptyImage, s.Origin, s.Key, "the image is 0 bytes");
                int w, h;
                try
                {
                    using var img = dec.Decode(s.ImageBytes, s.Key, (224, 224));
                    (w, h) = (img.Width, img.Height);
                    if (img.Warnings.Count > 0 && ++warnedCount <= examples)
                        warned.Add(new JsonObject { ["key"] = s.Key, ["origin"] = s.Origin, ["warnings"] = new JsonArray(img.Warnings.Select(x => (JsonNode?)x).ToArray()) });
                }
                catch (Core.ClipSharpException e) when (e is not BadSampleException)
                {
                    var reason = e.Message.Contains("over the limit", StringComparison.Ordinal) ? BadSampleReasons.ImageTooLarge : BadSampleReasons.CorruptImage;
                    throw new BadSampleException(reason, s.Origin, s.Key, e.Message.TrimEnd('.'), e);
                }
                usable++;
                web.Add(s.WebCaption);
                syn.Add(s.SyntheticCaption);
                if (shown.Count < examples)
                    shown.Add(new JsonObject { ["key"] = s.Key, ["image"] = $"{s.ImageExt} (decoded {w}x{h})", ["web"] = s.WebCaption, ["synthetic"] = s.SyntheticCaption });
            }
            catch (BadSampleException e) { bad.Record(e); }
        }
        return new JsonObject
        {
            ["source"] = spec.Path,
            ["type"] = spec.NormalizedType,
            ["shards"] = source.Shards.Count,
            ["records_read"] = read,
            ["usable_images"] = usable,
            ["web_caption"] = web.ToJson(usable),
            ["synthetic_caption"] = syn.ToJson(usable),
            ["bad_samples"] = bad.Snapshot().ToJsonNode(),
            // usable images libvips warned about (recovered corrupt data); with VipsWarnings.Capture, else never seen
            ["decoder_warnings"] = new JsonObject { ["images"] = warnedCount, ["examples"] = warned },
            ["examples"] = shown,
        };
    }

    private sealed class CaptionStats(ITextTokenizer? tokenizer)
    {
        private readonly List<int> _words = [], _sentences = [], _tokens = [];
        private long _present, _empty;

        public void Add(string? caption)
        {
            if (caption is null) return;
            _present++;
            if (string.IsNullOrWhiteSpace(caption)) { _empty++; return; }
            _words.Add(caption.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length);
            _sentences.Add(SubCaptionSplitter.Split(caption).Count);
            if (tokenizer is not null) _tokens.Add(tokenizer.ContentIds(caption).Length);
        }

        public JsonObject ToJson(long samples)
        {
            var o = new JsonObject { ["present"] = _present, ["coverage"] = samples == 0 ? 0 : Math.Round((double)_present / samples, 4), ["empty"] = _empty };
            o["words"] = Dist(_words);
            o["sentences"] = Dist(_sentences);
            if (tokenizer is not null) o["tokens"] = Dist(_tokens);
            return o;
        }

        private static JsonObject? Dist(List<int> v)
        {
            if (v.Count == 0) return null;
            var s = v.Order().ToArray();
            int P(double q) => s[(int)Math.Min(s.Length - 1, Math.Floor(q * s.Length))];
            return new JsonObject { ["mean"] = Math.Round(s.Average(), 2), ["p50"] = P(0.5), ["p90"] = P(0.9), ["max"] = s[^1] };
        }
    }
}
