using SkiaSharp;

namespace ClipSharp.Scenes;

/// <summary>Outlines of the shapes, centred on the origin, unrotated, with circumradius <c>r</c> pixels.</summary>
public static class ShapePaths
{
    /// <summary>A new path for <paramref name="shape"/>; the caller disposes it.</summary>
    public static SKPath Build(ShapeKind shape, float r)
    {
        using var p = new SKPathBuilder();
        switch (shape)
        {
            case ShapeKind.Circle:
                p.AddCircle(0, 0, r, SKPathDirection.Clockwise);
                break;
            case ShapeKind.Ring:
                p.FillType = SKPathFillType.EvenOdd;
                p.AddCircle(0, 0, r, SKPathDirection.Clockwise);
                p.AddCircle(0, 0, r * 0.55f, SKPathDirection.Clockwise);
                break;
            case ShapeKind.Square:
                p.AddRect(new SKRect(-0.8f * r, -0.8f * r, 0.8f * r, 0.8f * r), SKPathDirection.Clockwise);
                break;
            case ShapeKind.Diamond:
                Polygon(p, [(0, -r), (0.68f * r, 0), (0, r), (-0.68f * r, 0)]);
                break;
            case ShapeKind.Triangle:
                // Equilateral, centroid at the origin pushed down a little so it looks centred in its cell.
                Polygon(p, Regular(3, r, 0.12f * r));
                break;
            case ShapeKind.Pentagon:
                Polygon(p, Regular(5, r, 0.05f * r));
                break;
            case ShapeKind.Hexagon:
                Polygon(p, Regular(6, r, 0));
                break;
            case ShapeKind.Star:
                Polygon(p, Star(5, r, 0.45f * r));
                break;
            case ShapeKind.Cross:
                var (a, w) = (0.92f * r, 0.3f * r);
                Polygon(p, [(-w, -a), (w, -a), (w, -w), (a, -w), (a, w), (w, w), (w, a), (-w, a), (-w, w), (-a, w), (-a, -w), (-w, -w)]);
                break;
            case ShapeKind.Heart:
                Heart(p, r * 0.95f);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(shape), shape, null);
        }
        return p.Detach();
    }

    private static void Polygon(SKPathBuilder p, (float X, float Y)[] pts)
    {
        p.MoveTo(pts[0].X, pts[0].Y);
        for (var i = 1; i < pts.Length; i++) p.LineTo(pts[i].X, pts[i].Y);
        p.Close();
    }

    // n vertices on a circle of radius r, the first pointing up, shifted down by dy.
    private static (float, float)[] Regular(int n, float r, float dy) =>
        Enumerable.Range(0, n).Select(i =>
        {
            var a = -Math.PI / 2 + 2 * Math.PI * i / n;
            return ((float)(r * Math.Cos(a)), (float)(r * Math.Sin(a)) + dy);
        }).ToArray();

    private static (float, float)[] Star(int points, float outer, float inner) =>
        Enumerable.Range(0, 2 * points).Select(i =>
        {
            var a = -Math.PI / 2 + Math.PI * i / points;
            var r = i % 2 == 0 ? outer : inner;
            return ((float)(r * Math.Cos(a)), (float)(r * Math.Sin(a)) + 0.06f * outer);
        }).ToArray();

    // Two lobes of cubic curves meeting at the top dip and at the bottom tip; unit coordinates scaled by s.
    private static void Heart(SKPathBuilder p, float s)
    {
        p.MoveTo(0, 0.9f * s);
        p.CubicTo(-0.55f * s, 0.45f * s, -1.0f * s, 0.1f * s, -1.0f * s, -0.3f * s);
        p.CubicTo(-1.0f * s, -0.78f * s, -0.42f * s, -0.98f * s, 0, -0.5f * s);
        p.CubicTo(0.42f * s, -0.98f * s, 1.0f * s, -0.78f * s, 1.0f * s, -0.3f * s);
        p.CubicTo(1.0f * s, 0.1f * s, 0.55f * s, 0.45f * s, 0, 0.9f * s);
        p.Close();
    }
}
