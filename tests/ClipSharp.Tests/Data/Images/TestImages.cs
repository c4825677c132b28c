using NetVips;

namespace ClipSharp.Tests.Data.Images;

/// <summary>Small images generated with libvips for the image-pipeline tests.</summary>
internal static class TestImages
{
    /// <summary>A smooth RGB gradient with some texture, width x height, uchar.</summary>
    public static Image Rgb(int width, int height)
    {
        var xy = Image.Xyz(width, height).Cast(Enums.BandFormat.Double);
        var x = xy.ExtractBand(0);
        var y = xy.ExtractBand(1);
        var r = x * (255.0 / Math.Max(1, width - 1));
        var g = y * (255.0 / Math.Max(1, height - 1));
        var b = ((x * 0.3).Sin() + 1) * 60 + ((y * 0.2).Sin() + 1) * 60; // Sin takes degrees in libvips
        return r.Bandjoin(g, b).Cast(Enums.BandFormat.Uchar).Copy(interpretation: Enums.Interpretation.Srgb);
    }

    /// <summary>Writes <paramref name="image"/> to a temp file with the given suffix (and save options) and returns the path.</summary>
    public static string Save(Image image, string suffix, string dir)
    {
        var path = Path.Combine(dir, $"img-{Guid.NewGuid():N}{suffix}");
        image.WriteToFile(path);
        return path;
    }
}
