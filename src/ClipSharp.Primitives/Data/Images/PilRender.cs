using System.Buffers;

namespace ClipSharp.Data.Images;

/// <summary>
/// One decoded image to RGB uint8 the way OpenCLIP's Pillow transforms produce it: crop a source window, resize it in
/// the image's own <see cref="PilMode"/> (Pillow: "P" and "1" with nearest neighbour whatever the filter; "LA"/"RGBA"
/// premultiplied, i.e. converted to "La"/"RGBa", resized, converted back; "I;16" in 16 bits; an unchanged size is a
/// plain copy), take a window of the resized image (parts outside it are padding of one grey level), then
/// <c>convert("RGB")</c> (<see cref="PilModes.ToRgb"/>).
/// </summary>
internal static unsafe class PilRender
{
    /// <summary>
    /// Source window (<paramref name="sx"/>, <paramref name="sy"/>, <paramref name="sw"/>, <paramref name="sh"/>) of
    /// <paramref name="img"/>, resized to <paramref name="rw"/> x <paramref name="rh"/>; writes the window
    /// (<paramref name="cx"/>, <paramref name="cy"/>, <paramref name="cw"/>, <paramref name="ch"/>) of the result, which
    /// may reach outside it (filled with <paramref name="fill"/>), to <paramref name="rgb"/> as ch x cw x 3 bytes.
    /// </summary>
    public static void RenderRgb(DecodedImage img, int sx, int sy, int sw, int sh, int rw, int rh, Interpolation filter,
        int cx, int cy, int cw, int ch, byte fill, Span<byte> rgb)
    {
        Validate(img, sx, sy, sw, sh, rw, rh, cw * ch * 3, rgb.Length);
        int ix0 = Math.Max(cx, 0), iy0 = Math.Max(cy, 0), ix1 = Math.Min(cx + cw, rw), iy1 = Math.Min(cy + ch, rh);
        if (ix0 != cx || iy0 != cy || ix1 != cx + cw || iy1 != cy + ch) rgb.Fill(fill);
        if (ix0 >= ix1 || iy0 >= iy1) return;
        int iw = ix1 - ix0, ih = iy1 - iy0, bands = img.Bands;
        if (img.Mode is PilMode.P or PilMode.One) filter = Interpolation.Nearest;
        if (img.Mode == PilMode.I16) { RenderI16(img, sx, sy, sw, sh, rw, rh, filter, ix0, iy0, iw, ih, rgb[(((iy0 - cy) * cw + ix0 - cx) * 3)..], cw); return; }
        bool premultiply = img.HasAlpha && filter != Interpolation.Nearest && (rw != sw || rh != sh);
        if (bands == 3 && iw == cw)
        {
            // RGB whose rows cover the output's full width: resize straight into it (convert("RGB") is a no-op).
            var px = img.Pixels;
            long rs = (long)img.Width * 3, ro = sy * rs + (long)sx * 3;
            fixed (byte* all = px)
            fixed (byte* o = rgb)
                PilResize.Resize(all + ro, rs, px.Length - ro, 3, sw, sh, rw, rh, filter, ix0, iy0, iw, ih, o + (long)(iy0 - cy) * cw * 3);
            GC.KeepAlive(img);
            return;
        }
        var res = ArrayPool<byte>.Shared.Rent(iw * ih * bands);
        byte[]? pm = null;
        try
        {
            var pixels = img.Pixels;
            long stride = (long)img.Width * bands, offset = sy * stride + (long)sx * bands;
            fixed (byte* all = pixels)
            fixed (byte* r = res)
            {
                if (premultiply)
                {
                    pm = ArrayPool<byte>.Shared.Rent(sw * sh * bands);
                    fixed (byte* p = pm)
                    {
                        for (int y = 0; y < sh; y++)
                            Premultiply(all + offset + y * stride, p + (long)y * sw * bands, sw, bands);
                        PilResize.Resize(p, (long)sw * bands, (long)sw * sh * bands, bands, sw, sh, rw, rh, filter, ix0, iy0, iw, ih, r);
                    }
                    Unpremultiply(r, iw * ih, bands);
                }
                else
                {
                    PilResize.Resize(all + offset, stride, pixels.Length - offset, bands, sw, sh, rw, rh, filter, ix0, iy0, iw, ih, r);
                }
                fixed (byte* o = rgb)
                    PilModes.ToRgb(img.Mode, r, iw, ih, o + ((long)(iy0 - cy) * cw + (ix0 - cx)) * 3, (long)cw * 3);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(res);
            if (pm is not null) ArrayPool<byte>.Shared.Return(pm);
            GC.KeepAlive(img);
        }
    }

    private static void Validate(DecodedImage img, int sx, int sy, int sw, int sh, int rw, int rh, int expected, int length)
    {
        if (sx < 0 || sy < 0 || sw <= 0 || sh <= 0 || sx + sw > img.Width || sy + sh > img.Height)
            throw new ArgumentOutOfRangeException(nameof(sx), $"{img.Source}: source window ({sx}, {sy}, {sw}, {sh}) is outside the {img.Width}x{img.Height} image.");
        if (rw <= 0 || rh <= 0) throw new ArgumentOutOfRangeException(nameof(rw), "Resize target must be positive.");
        if (length != expected) throw new ArgumentException($"Expected {expected} bytes, got {length}.", nameof(length));
    }

    /// <summary>The whole image resized to <paramref name="width"/> x <paramref name="height"/> as RGB bytes (HWC).</summary>
    public static byte[] ResizeRgb(DecodedImage img, int width, int height, Interpolation filter)
    {
        var rgb = new byte[width * height * 3];
        RenderRgb(img, 0, 0, img.Width, img.Height, width, height, filter, 0, 0, width, height, 0, rgb);
        return rgb;
    }

    // Pillow rgbA2rgba / lA2la: c' = MULDIV255(c, a) = (t + (t >> 8)) >> 8 with t = c * a + 128; alpha unchanged.
    private static void Premultiply(byte* src, byte* dst, int pixels, int bands)
    {
        int nc = bands - 1;
        for (int i = 0; i < pixels; i++, src += bands, dst += bands)
        {
            int a = src[nc];
            for (int c = 0; c < nc; c++)
            {
                int t = src[c] * a + 128;
                dst[c] = (byte)((t + (t >> 8)) >> 8);
            }
            dst[nc] = (byte)a;
        }
    }

    // Pillow rgba2rgbA / la2lA: alpha 0 or 255 keeps c, otherwise clip8(255 * c / a) (integer division).
    private static void Unpremultiply(byte* px, int pixels, int bands)
    {
        int nc = bands - 1;
        for (int i = 0; i < pixels; i++, px += bands)
        {
            int a = px[nc];
            if (a is 0 or 255) continue;
            for (int c = 0; c < nc; c++) px[c] = (byte)Math.Min(255, 255 * px[c] / a);
        }
    }

    // "I;16": resize the 16-bit values, then convert("RGB"), which clips each at 255. rgb: the window's first pixel,
    // rows cw pixels apart.
    private static void RenderI16(DecodedImage img, int sx, int sy, int sw, int sh, int rw, int rh, Interpolation filter,
        int ix0, int iy0, int iw, int ih, Span<byte> rgb, int cw)
    {
        var res = new ushort[iw * ih];
        var pixels = img.Pixels;
        fixed (byte* all = pixels)
        fixed (ushort* r = res)
        {
            PilResize16.Resize((ushort*)all + (long)sy * img.Width + sx, img.Width, sw, sh, rw, rh, filter, ix0, iy0, iw, ih, r);
            for (int y = 0; y < ih; y++)
                for (int x = 0; x < iw; x++)
                {
                    byte v = (byte)Math.Min(r[y * iw + x], (ushort)255);
                    int o = (y * cw + x) * 3;
                    rgb[o] = v; rgb[o + 1] = v; rgb[o + 2] = v;
                }
        }
        GC.KeepAlive(img);
    }
}
