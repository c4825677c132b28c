namespace ClipSharp.Data.Images;

/// <summary>
/// The Pillow mode an image opens in, which decides how OpenCLIP's transforms (Pillow <c>resize</c>, then
/// <c>convert("RGB")</c>) treat it. <see cref="DecodedImage"/> keeps the pixels in that mode's layout.
/// </summary>
public enum PilMode
{
    /// <summary>"L": 8-bit grey, 1 band.</summary>
    L,
    /// <summary>"LA": grey + alpha, 2 bands; resized premultiplied ("La").</summary>
    LA,
    /// <summary>"RGB": 3 bands.</summary>
    Rgb,
    /// <summary>"RGBA": 4 bands; resized premultiplied ("RGBa").</summary>
    Rgba,
    /// <summary>
    /// "P": palette. Kept as the palette colours (3 bands, the palette's transparency dropped: <c>convert("RGB")</c>
    /// ignores it); always resized with nearest neighbour.
    /// </summary>
    P,
    /// <summary>"1": bilevel, 1 band of 0 / 255; always resized with nearest neighbour.</summary>
    One,
    /// <summary>"I;16": 16-bit grey, 1 band of ushort; resized in 16 bits, <c>convert("RGB")</c> clips at 255.</summary>
    I16,
    /// <summary>"CMYK": 4 bands of ink; resized as 4 plain bands, converted with Pillow's naive formula.</summary>
    Cmyk,
}
