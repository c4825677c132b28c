using SkiaSharp;

namespace ClipSharp.Scenes;

/// <summary>
/// Draws scenes with SkiaSharp (anti-aliased paths, gradient and Perlin-noise shaders) on one reusable raster surface
/// of <c>Size × Size</c> RGBA pixels, applies the scene's photometric noise, and encodes JPEG or PNG. Not thread-safe:
/// use one renderer per thread. Drawing happens in cell units (the image is 3×3 cells), so any resolution works.
/// </summary>
public sealed class SceneRenderer : IDisposable
{
    private readonly SKSurface _surface;
    private readonly SKImageInfo _info;

    /// <summary>Creates a renderer for square images of <paramref name="size"/> pixels.</summary>
    public SceneRenderer(int size, int jpegQuality = 92)
    {
        if (size is < 8 or > 4096) throw new Core.ClipSharpException($"Image size must be in 8..4096 pixels, not {size}.");
        Size = size;
        JpegQuality = jpegQuality;
        _info = new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul);
        _surface = SKSurface.Create(_info) ?? throw new InvalidOperationException($"SkiaSharp could not create a {size}x{size} surface.");
    }

    /// <summary>Image side in pixels.</summary>
    public int Size { get; }

    /// <summary>JPEG quality used by <see cref="Encode"/>.</summary>
    public int JpegQuality { get; }

    /// <summary>Renders and returns the RGBA pixels (row-major, 4 bytes per pixel, alpha 255).</summary>
    public byte[] RenderPixels(Scene scene)
    {
        Draw(scene);
        using var pixmap = _surface.PeekPixels();
        return pixmap.GetPixelSpan().ToArray();
    }

    /// <summary>Renders and encodes as JPEG (4:4:4, <see cref="JpegQuality"/>) or PNG.</summary>
    public byte[] Encode(Scene scene, ImageFormat format)
    {
        Draw(scene);
        using var pixmap = _surface.PeekPixels();
        using var data = format == ImageFormat.Png
            ? pixmap.Encode(SKPngEncoderOptions.Default)
            : pixmap.Encode(new SKJpegEncoderOptions(JpegQuality, SKJpegEncoderDownsample.Downsample444, SKJpegEncoderAlphaOption.Ignore));
        return data?.ToArray() ?? throw new InvalidOperationException($"SkiaSharp could not encode a {Size}x{Size} {format} image.");
    }

    /// <summary>Draws <paramref name="scene"/> onto the surface, then applies its photometric noise.</summary>
    public void Draw(Scene scene)
    {
        var canvas = _surface.Canvas;
        canvas.ResetMatrix();
        canvas.Clear(SKColors.White);
        canvas.Scale(Size / 3f);  // from here on: cell units, 0..3
        DrawBackground(canvas, scene.Background);
        foreach (var o in scene.Objects) DrawObject(canvas, o);
        canvas.Flush();
        ApplyNoise(scene.EffectiveNoise);
    }

    private static SKColor Colour(SceneColour c)
    {
        var (r, g, b) = SceneLexicon.Rgb(c);
        return new SKColor(r, g, b);
    }

    private static void DrawBackground(SKCanvas canvas, SceneBackground bg)
    {
        canvas.Clear(Colour(bg.Colour));
        if (bg.Kind == BackgroundKind.Gradient)
        {
            var end = bg.Direction switch
            {
                GradientDirection.Horizontal => new SKPoint(3, 0),
                GradientDirection.Vertical => new SKPoint(0, 3),
                _ => new SKPoint(3, 3),
            };
            using var shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), end, [Colour(bg.Colour), Colour(bg.Colour2)], SKShaderTileMode.Clamp);
            using var paint = new SKPaint { Shader = shader, IsAntialias = true };
            canvas.DrawRect(0, 0, 3, 3, paint);
        }
        else if (bg.Kind == BackgroundKind.Texture)
        {
            // Grey fractal noise (about 1.6 blobs per cell) overlaid on the colour: a mottled, paper-like texture.
            using var noise = SKShader.CreatePerlinNoiseFractalNoise(1.6f, 1.6f, 3, bg.TextureSeed % 10_000);
            using var grey = SKColorFilter.CreateColorMatrix(
            [
                0.33f, 0.33f, 0.33f, 0, 0,
                0.33f, 0.33f, 0.33f, 0, 0,
                0.33f, 0.33f, 0.33f, 0, 0,
                0, 0, 0, 0, 0.45f,
            ]);
            using var paint = new SKPaint { Shader = noise, ColorFilter = grey, BlendMode = SKBlendMode.Overlay };
            canvas.DrawRect(0, 0, 3, 3, paint);
        }
    }

    private void DrawObject(SKCanvas canvas, SceneObject o)
    {
        var r = (float)o.Radius;
        var colour = Colour(o.Colour);
        using var path = ShapePaths.Build(o.Shape, r);
        canvas.Save();
        canvas.Translate((float)o.CenterX, (float)o.CenterY);
        canvas.RotateDegrees((float)o.Rotation);
        // Strokes at least one pixel wide so outlines survive at 64 px.
        var onePixel = 3f / Size;
        var outline = Math.Max(onePixel, 0.11f * r);
        using var paint = new SKPaint { Color = colour, IsAntialias = true };
        switch (o.Pattern)
        {
            case PatternKind.Solid:
                canvas.DrawPath(path, paint);
                break;
            case PatternKind.Outlined:
                paint.Style = SKPaintStyle.Stroke;
                paint.StrokeWidth = Math.Max(onePixel, 0.16f * r);
                canvas.DrawPath(path, paint);
                break;
            case PatternKind.Striped:
                canvas.Save();
                canvas.ClipPath(path, SKClipOperation.Intersect, true);
                var period = 0.5f * r;
                for (var y = -r - period; y <= r + period; y += period)
                    canvas.DrawRect(-r * 1.5f, y, r * 3f, period * 0.5f, paint);
                canvas.Restore();
                Stroke(canvas, path, paint, outline);
                break;
            case PatternKind.Dotted:
                canvas.Save();
                canvas.ClipPath(path, SKClipOperation.Intersect, true);
                var step = 0.5f * r;
                var row = 0;
                for (var y = -r; y <= r + step; y += step, row++)
                for (var x = -r + (row % 2) * step / 2; x <= r + step; x += step)
                    canvas.DrawCircle(x, y, step * 0.27f, paint);
                canvas.Restore();
                Stroke(canvas, path, paint, outline);
                break;
        }
        canvas.Restore();
    }

    private static void Stroke(SKCanvas canvas, SKPath path, SKPaint paint, float width)
    {
        paint.Style = SKPaintStyle.Stroke;
        paint.StrokeWidth = width;
        canvas.DrawPath(path, paint);
        paint.Style = SKPaintStyle.Fill;
    }

    // v' = (v - 128)·contrast + 128 + 255·brightness + noise; noise is Irwin–Hall(4) scaled to unit variance, from a
    // generator seeded by the scene so the image is a pure function of its JSON.
    private void ApplyNoise(PhotometricNoise n)
    {
        if (n.NoiseStd == 0 && n.Brightness == 0 && n.Contrast == 1) return;
        using var pixmap = _surface.PeekPixels();
        var px = pixmap.GetPixelSpan();
        var rng = new SceneRandom((ulong)n.Seed);
        var contrast = (float)n.Contrast;
        var offset = 128f - 128f * contrast + 255f * (float)n.Brightness;
        var scale = 255f * (float)n.NoiseStd * MathF.Sqrt(3f);
        for (var i = 0; i < px.Length; i++)
        {
            if ((i & 3) == 3) continue;  // alpha
            // four 16-bit uniforms from one draw: sum in [0, 4), mean 2, variance 1/3
            var b = rng.NextULong();
            var sum = (b & 0xFFFF) + ((b >> 16) & 0xFFFF) + ((b >> 32) & 0xFFFF) + (b >> 48);
            var g = sum / 65536f - 2f;
            var v = px[i] * contrast + offset + g * scale;
            px[i] = (byte)Math.Clamp((int)MathF.Round(v), 0, 255);
        }
    }

    /// <summary>Releases the surface.</summary>
    public void Dispose() => _surface.Dispose();
}
