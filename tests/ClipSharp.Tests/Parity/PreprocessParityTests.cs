using System.Text.Json;
using ClipSharp.Checkpoints;
using ClipSharp.Data.Images;
using ClipSharp.Tests.Support;
using Xunit.Abstractions;

namespace ClipSharp.Tests.Parity;

/// <summary>
/// EvalTransform against OpenCLIP (Pillow 11.1, torchvision 0.21) outputs for every image in the preprocess section
/// of fixtures/openclip/manifest.json: "&lt;name&gt;" = OpenAI transform float32 (3, 224, 224), "clips.&lt;name&gt;.uint8" =
/// CLIPS transform RGB uint8 (224, 224, 3) before ToTensor.
/// </summary>
/// <remarks>
/// Tolerance held: max |diff| &lt;= <see cref="MaxLevels"/> uint8 level on every pixel (0 on almost all), and on the
/// float output &lt;= MaxLevels / 255 / min(std) + 1e-6; pixels whose uint8 value agrees give bit-identical floats
/// (checked: 1e-6). Why not 0: the resize is rebuilt from libvips ops in double precision, Pillow uses 22-bit
/// fixed-point weights, so a sum within ~1e-4 of a .5 boundary can round the other way (then propagates through the
/// second pass); JPEG decoding (libjpeg-turbo in both) may differ by 1 level.
/// </remarks>
public class PreprocessParityTests
{
    private const int MaxLevels = 1;
    // Resized premultiplied values may differ by 2: a 1-level tie flip in the horizontal pass, carried by the
    // vertical pass (weights up to ~1.1), plus the vertical pass's own tie (seen on rgba_alpha's exact gradients).
    private const int PremultipliedLevels = 2;
    private static readonly string Root = Path.Combine(TestPaths.Fixtures, "openclip");
    private readonly ITestOutputHelper _out;

    public PreprocessParityTests(ITestOutputHelper output) => _out = output;

    /// <summary>One case per manifest preprocess image: (name, file).</summary>
    public static IEnumerable<object[]> Cases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "manifest.json")));
        foreach (var img in doc.RootElement.GetProperty("preprocess").GetProperty("images").EnumerateArray())
            yield return [img.GetProperty("name").GetString()!, img.GetProperty("file").GetString()!];
    }

    private static (float[] Mean, float[] Std) MeanStd(string key)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "manifest.json")));
        var ms = doc.RootElement.GetProperty("preprocess").GetProperty("mean_std").GetProperty(key);
        return (ms[0].EnumerateArray().Select(v => v.GetSingle()).ToArray(), ms[1].EnumerateArray().Select(v => v.GetSingle()).ToArray());
    }

    [SharedTheory]
    [MemberData(nameof(Cases))]
    public void OpenAiTransformMatchesOpenClip(string name, string file)
    {
        var (mean, std) = MeanStd("openai");
        var cfg = PreprocessConfig.OpenAi() with { Mean = mean, Std = std };
        var transform = new EvalTransform(cfg);
        using var img = transform.Decode(Path.Combine(Root, "preprocess", "images", file));
        using var st = SafeTensorsFile.Open(Path.Combine(Root, "preprocess", "preprocess_outputs.safetensors"));
        using var expectedT = st.Read(name);
        Assert.Equal(new long[] { 3, cfg.Height, cfg.Width }, expectedT.shape);
        var expected = expectedT.data<float>().ToArray();
        using var actualT = transform.Apply(img);
        var actual = actualT.data<float>().ToArray();
        var bytes = transform.ApplyBytes(img);
        var allowed = AllowedLevels(transform, img);

        int hw = cfg.Height * cfg.Width, maxLevel = 0, firstBad = -1, differing = 0, maxAllowed = 0, worstExcess = 0;
        double maxFloat = 0, maxFloatSameLevel = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            int c = i / hw, p = i % hw;
            // The fixture's uint8 level, recovered by inverting Normalize and ToTensor.
            int expLevel = (int)Math.Round((expected[i] * std[c] + mean[c]) * 255.0);
            int d = Math.Abs(expLevel - bytes[p * 3 + c]), a = allowed[p * 3 + c];
            if (d > 0) differing++;
            maxLevel = Math.Max(maxLevel, d);
            maxAllowed = Math.Max(maxAllowed, a);
            if (d - a > worstExcess) { worstExcess = d - a; firstBad = i; }
            double fd = Math.Abs(expected[i] - actual[i]);
            maxFloat = Math.Max(maxFloat, fd);
            if (d == 0) maxFloatSameLevel = Math.Max(maxFloatSameLevel, fd);
            Assert.True(fd <= a / 255.0 / std[c] + 1e-6, $"{name}: float diff {fd:E3} at {i} beyond {a} levels");
        }
        _out.WriteLine($"{name}: max |diff| = {maxLevel} uint8 levels (allowed here: {maxAllowed}; {differing} of " +
            $"{expected.Length} values differ), float max |diff| = {maxFloat:E3} (where levels agree: {maxFloatSameLevel:E3})");
        Assert.True(worstExcess == 0, $"{name}: diff exceeds the tolerance by {worstExcess} levels at (c, y, x) = " +
            $"({firstBad / hw}, {firstBad % hw / cfg.Width}, {firstBad % cfg.Width}); {differing} values differ");
        Assert.True(maxFloatSameLevel <= 1e-6, $"{name}: float diff {maxFloatSameLevel:E3} where the uint8 levels agree");
    }

    [SharedTheory]
    [MemberData(nameof(Cases))]
    public void ClipsTransformMatchesOpenClip(string name, string file)
    {
        var (mean, std) = MeanStd("imagenet");
        var cfg = PreprocessConfig.Clips() with { Mean = mean, Std = std };
        var transform = new EvalTransform(cfg);
        using var img = transform.Decode(Path.Combine(Root, "preprocess", "images", file));
        using var st = SafeTensorsFile.Open(Path.Combine(Root, "preprocess", "preprocess_outputs.safetensors"));
        using var expectedT = st.Read($"clips.{name}.uint8");
        Assert.Equal(new long[] { cfg.Height, cfg.Width, 3 }, expectedT.shape);
        var expected = expectedT.data<byte>().ToArray();
        var actual = transform.ApplyBytes(img);
        var allowed = AllowedLevels(transform, img);
        int maxLevel = 0, firstBad = -1, differing = 0, maxAllowed = 0, worstExcess = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            int d = Math.Abs(expected[i] - actual[i]);
            if (d > 0) differing++;
            maxLevel = Math.Max(maxLevel, d);
            maxAllowed = Math.Max(maxAllowed, allowed[i]);
            if (d - allowed[i] > worstExcess) { worstExcess = d - allowed[i]; firstBad = i; }
        }
        _out.WriteLine($"clips.{name}: max |diff| = {maxLevel} uint8 levels (allowed here: {maxAllowed}; {differing} of " +
            $"{expected.Length} values differ)");
        Assert.True(worstExcess == 0, $"clips.{name}: diff exceeds the tolerance by {worstExcess} levels at (y, x, c) = " +
            $"({firstBad / 3 / cfg.Width}, {firstBad / 3 % cfg.Width}, {firstBad % 3}); {differing} values differ");
    }

    /// <summary>
    /// Per HWC value, the uint8 difference the tolerance allows: <see cref="MaxLevels"/>, except for images with
    /// alpha. Pillow resizes those premultiplied and divides back: c = floor(255 c' / a'). A small difference in the
    /// resized premultiplied colour c' or alpha a' moves c by up to ~255 / a' levels (1 level at alpha 2 is 128
    /// levels of colour). There the bound is the largest change of floor(255 c' / a') when c' and a' move by up to
    /// <see cref="PremultipliedLevels"/>, computed from our own resized premultiplied values (colour and alpha resized
    /// as separate images, which is what a per-band resize does); we also check our output is exactly that division.
    /// </summary>
    private static int[] AllowedLevels(EvalTransform transform, DecodedImage img)
    {
        int n = transform.Config.Height * transform.Config.Width * 3;
        var allowed = Enumerable.Repeat(MaxLevels, n).ToArray();
        if (!img.HasAlpha || img.IsPalette) return allowed;
        int nc = img.Bands - 1;
        using var premul = PilModes.Premultiply(img.Image);
        using var colour = new DecodedImage(premul.ExtractBand(0, n: nc).CopyMemory(), img.Source);
        using var alpha = new DecodedImage(premul.ExtractBand(nc).CopyMemory(), img.Source);
        var c = transform.ApplyBytes(colour); // premultiplied colour, resized and cropped, as RGB
        var a = transform.ApplyBytes(alpha);  // alpha, resized and cropped, replicated to RGB
        var ours = transform.ApplyBytes(img);
        for (int i = 0; i < n; i++)
        {
            int u = Unpremultiply(c[i], a[i]);
            Assert.Equal(u, ours[i]);
            int worst = 0;
            for (int dc = -PremultipliedLevels; dc <= PremultipliedLevels; dc++)
                for (int da = -PremultipliedLevels; da <= PremultipliedLevels; da++)
                    worst = Math.Max(worst, Math.Abs(Unpremultiply(Math.Clamp(c[i] + dc, 0, 255), Math.Clamp(a[i] + da, 0, 255)) - u));
            allowed[i] = Math.Max(MaxLevels, worst);
        }
        return allowed;
    }

    // Pillow rgba2rgbA for one value.
    private static int Unpremultiply(int c, int a) => a is 0 or 255 ? c : Math.Min(255, 255 * c / a);
}
