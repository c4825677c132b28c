using System.Security.Cryptography;
using System.Text.Json;
using ClipSharp.Data.Images;
using ClipSharp.Tests.Support;
using Xunit.Abstractions;

namespace ClipSharp.Tests.Data.Images;

/// <summary>
/// Every Pillow mode OpenCLIP accepts ("1", "L" 8 and 2 bit, "L" + tRNS, "LA", "P" 8 and 4 bit, "P" + tRNS, "RGB",
/// "RGB" + tRNS, "RGBA", "I;16" with and without tRNS, 16-bit RGB / RGBA / grey + alpha PNGs, GIF as "P" and as "L"
/// with and without a transparent index, palette TIFF, CMYK JPEG with and without the Adobe segment), generated here (<see cref="PilModeImages"/>), through
/// the OpenAI transform (bicubic, shortest side + centre crop), the CLIPS transform (bilinear squash) and a train-style
/// crop + bicubic resize, compared bit for bit with Pillow 11.1 + OpenCLIP's outputs for the same bytes
/// (tests/fixture-gen/pil_modes.json, made by tests/fixture-gen/pil_modes.py; see its README to regenerate).
/// </summary>
public class PilModeParityTests
{
    private static readonly string FixturePath = Path.Combine(TestPaths.RepoRoot, "tests", "fixture-gen", "pil_modes.json");
    private static readonly Lazy<JsonElement> Fixture = new(() => JsonDocument.Parse(File.ReadAllText(FixturePath)).RootElement.Clone());
    private readonly ITestOutputHelper _out;

    public PilModeParityTests(ITestOutputHelper output) => _out = output;

    /// <summary>One case per generated image.</summary>
    public static IEnumerable<object[]> Cases() => PilModeImages.All.Keys.Order(StringComparer.Ordinal).Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(Cases))]
    public void DecodesTheBytesPillowSawInPillowsMode(string name)
    {
        var (bytes, suffix, mode) = PilModeImages.All[name];
        DumpForTheGenerator(name, bytes, suffix);
        var expected = Expected(name);
        Assert.True(Convert.ToHexStringLower(SHA256.HashData(bytes)) == expected.GetProperty("sha256").GetString(),
            $"{name}: the generated file differs from the one the fixture was made from (encoder change?); regenerate " +
            "tests/fixture-gen/pil_modes.json (tests/fixture-gen/README.md).");
        Assert.Equal(expected.GetProperty("mode").GetString(), PillowName(mode));
        using var img = new ImageDecoder().Decode(bytes, name + suffix);
        Assert.Equal(mode, img.Mode);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OpenAiTransformIsBitIdenticalToPillow(string name) =>
        Check(name, "openai", img => new EvalTransform(PreprocessConfig.OpenAi(Size)).ApplyBytes(img));

    [Theory]
    [MemberData(nameof(Cases))]
    public void ClipsTransformIsBitIdenticalToPillow(string name) =>
        Check(name, "clips", img => new EvalTransform(PreprocessConfig.Clips(Size)).ApplyBytes(img));

    /// <summary>TrainTransform's route for one crop box: crop, resize bicubic (OpenCLIP's RandomResizedCrop), convert.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void CropThenResizeIsBitIdenticalToPillow(string name)
    {
        var box = Fixture.Value.GetProperty("crop").EnumerateArray().Select(v => v.GetInt32()).ToArray(); // left, top, width, height
        Check(name, "crop", img =>
        {
            var rgb = new byte[Size * Size * 3];
            PilRender.RenderRgb(img, box[0], box[1], box[2], box[3], Size, Size, Interpolation.Bicubic, 0, 0, Size, Size, 0, rgb);
            return rgb;
        });
    }

    private static int Size => Fixture.Value.GetProperty("size").GetInt32();

    private static JsonElement Expected(string name) => Fixture.Value.GetProperty("images").GetProperty(name);

    // Decodes through the file route (the route that reads the PNG header from disk) and compares HWC RGB bytes.
    private void Check(string name, string output, Func<DecodedImage, byte[]> render)
    {
        var (bytes, suffix, _) = PilModeImages.All[name];
        var dir = TestPaths.NewTempDir("pil-modes");
        var path = Path.Combine(dir, name + suffix);
        File.WriteAllBytes(path, bytes);
        using var img = new ImageDecoder().Decode(path);
        var actual = render(img);
        var expected = Convert.FromBase64String(Expected(name).GetProperty(output).GetString()!);
        Assert.Equal(expected.Length, actual.Length);
        int differing = 0, max = 0, first = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            int d = Math.Abs(expected[i] - actual[i]);
            if (d == 0) continue;
            if (first < 0) first = i;
            differing++;
            max = Math.Max(max, d);
        }
        _out.WriteLine($"{name} {output}: {differing} of {expected.Length} values differ from Pillow, max |diff| {max}");
        Assert.True(differing == 0, $"{name} {output}: {differing} of {expected.Length} values differ from Pillow, max |diff| " +
            $"{max} uint8 levels, first at (y, x, c) = ({first / 3 / Size}, {first / 3 % Size}, {first % 3}): " +
            $"Pillow {expected[Math.Max(first, 0)]}, ours {actual[Math.Max(first, 0)]}");
    }

    // With CLIPSHARP_PIL_MODES_OUT set, the generated files are written there for tests/fixture-gen/pil_modes.py.
    private static void DumpForTheGenerator(string name, byte[] bytes, string suffix)
    {
        if (Environment.GetEnvironmentVariable("CLIPSHARP_PIL_MODES_OUT") is not { Length: > 0 } dir) return;
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, name + suffix), bytes);
    }

    private static string PillowName(PilMode mode) => mode switch
    {
        PilMode.One => "1",
        PilMode.L => "L",
        PilMode.LA => "LA",
        PilMode.P => "P",
        PilMode.Rgb => "RGB",
        PilMode.Rgba => "RGBA",
        PilMode.I16 => "I;16",
        PilMode.Cmyk => "CMYK",
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };
}
