namespace ClipSharp.Data.Images;

/// <summary>torchvision's <c>RandomResizedCrop.get_params</c>: the crop box, drawn from a caller-owned RNG.</summary>
public static class RandomResizedCrop
{
    /// <summary>
    /// Up to 10 tries: area fraction ~ U(scale), log aspect ~ U(log ratio), w = round(sqrt(A r)), h = round(sqrt(A / r));
    /// the first box that fits is placed uniformly. Otherwise the central crop with the aspect clamped to the ratio range.
    /// </summary>
    public static (int Top, int Left, int Height, int Width) Sample(int height, int width, TrainAugmentConfig cfg, Random rng)
    {
        double area = (double)height * width;
        double logMin = Math.Log(cfg.RatioMin), logMax = Math.Log(cfg.RatioMax);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = area * Uniform(rng, cfg.ScaleMin, cfg.ScaleMax);
            double aspect = Math.Exp(Uniform(rng, logMin, logMax));
            int w = (int)Math.Round(Math.Sqrt(target * aspect), MidpointRounding.ToEven);
            int h = (int)Math.Round(Math.Sqrt(target / aspect), MidpointRounding.ToEven);
            if (w > 0 && w <= width && h > 0 && h <= height)
                return (rng.Next(0, height - h + 1), rng.Next(0, width - w + 1), h, w);
        }
        double inRatio = (double)width / height;
        int cw = width, ch = height;
        if (inRatio < cfg.RatioMin) ch = (int)Math.Round(cw / cfg.RatioMin, MidpointRounding.ToEven);
        else if (inRatio > cfg.RatioMax) cw = (int)Math.Round(ch * cfg.RatioMax, MidpointRounding.ToEven);
        return ((height - ch) / 2, (width - cw) / 2, ch, cw);
    }

    private static double Uniform(Random rng, double lo, double hi) => lo + (hi - lo) * rng.NextDouble();
}
