using ClipSharp.Scenes.Mentions;

namespace ClipSharp.Scenes;

/// <summary>
/// Builds fine-grained bags. Bag k varies attribute k mod 6 (colour, shape, size, pattern, position, count) so the
/// attributes are balanced. A base scene of one target object plus up to <see cref="WorldConfig.BagMaxOtherObjects"/>
/// distractors is drawn, then the target's attribute takes distinct values; background, distractors, jitter,
/// rotation and photometric noise stay fixed. Captions use one fixed template, so within a bag they differ only in
/// the varied word(s): "a large striped red star in the top left", "three small dotted blue rings".
/// </summary>
public sealed class FineGrainedBagBuilder(WorldConfig config)
{
    private readonly SceneSampler _sampler = new(config);

    /// <summary>The configuration.</summary>
    public WorldConfig Config { get; } = config;

    /// <summary>Builds bag <paramref name="bagId"/> from its generator.</summary>
    public FineGrainedBag Build(int bagId, SceneRandom rng)
    {
        var attribute = (BagAttribute)(bagId % 6);
        var want = rng.NextInclusive(Config.BagMinImages, Config.BagMaxImages);
        var bg = _sampler.SampleBackground(rng);
        var noise = _sampler.SampleNoise(rng);
        var cells = Enumerable.Range(0, 9).ToList();
        rng.Shuffle(cells);
        // Jitter inside the limit of the largest size, so a size change never pushes an object out of its cell.
        var target = _sampler.SampleObject(rng, bg, cells[0] / 3, cells[0] % 3) with
        {
            Dx = Math.Round(rng.Uniform(-1, 1) * _sampler.JitterLimit(SizeClass.Large), 4),
            Dy = Math.Round(rng.Uniform(-1, 1) * _sampler.JitterLimit(SizeClass.Large), 4),
        };

        if (attribute == BagAttribute.Count)
        {
            // Copies of the target at fixed cells; image k holds the first k copies (k = 1..n, n ≤ 4 objects).
            var copies = Enumerable.Range(0, 4).Select(j => j == 0 ? target
                : _sampler.SampleObject(rng, bg, cells[j] / 3, cells[j] % 3) with
                {
                    Shape = target.Shape, Colour = target.Colour, Size = target.Size, Pattern = target.Pattern,
                }).ToList();
            var n = Math.Min(want, Math.Min(4, Config.MaxObjects));
            var counts = Enumerable.Range(1, n).ToList();
            rng.Shuffle(counts);
            var images = counts.Select(k => new BagImage(new Scene(bg, copies.Take(k).ToList(), noise), Caption(target, k), Mention(target, k, statesCount: true))).ToList();
            return new FineGrainedBag(bagId, attribute, 0, images);
        }

        var others = rng.NextInclusive(0, Config.BagMaxOtherObjects);
        var distractors = Enumerable.Range(1, others).Select(j => _sampler.SampleObject(rng, bg, cells[j] / 3, cells[j] % 3)).ToList();
        var targetIndex = rng.Next(others + 1);
        var variants = Variants(attribute, target, bg, cells.Skip(others + 1).ToList());
        rng.Shuffle(variants);
        var chosen = variants.Take(Math.Min(want, variants.Count)).ToList();
        var bagImages = chosen.Select(v =>
        {
            var objs = new List<SceneObject>(distractors);
            objs.Insert(targetIndex, v);
            return new BagImage(new Scene(bg, objs, noise), Caption(v, 1), Mention(v, 1, statesCount: false));
        }).ToList();
        return new FineGrainedBag(bagId, attribute, targetIndex, bagImages);
    }

    /// <summary>The bag caption of <paramref name="count"/> copies of <paramref name="o"/> (position only for one copy).</summary>
    public static string Caption(SceneObject o, int count)
    {
        var words = $"{SceneLexicon.SizeWord(o.Size)} {SceneLexicon.PatternWord(o.Pattern)} {SceneLexicon.ColourName(o.Colour)}";
        return count == 1
            ? $"{SceneLexicon.WithArticle(words)} {SceneLexicon.ShapeName(o.Shape)} in the {SceneLexicon.CellName(o.Row, o.Col)}"
            : $"{SceneLexicon.NumberWord(count)} {words} {SceneLexicon.ShapePlural(o.Shape)}";
    }

    /// <summary>What <see cref="Caption"/> states: one object with every attribute and its cell, or exactly
    /// <paramref name="count"/> alike objects. In a count bag "a large red star in the top center" is read as "one":
    /// the bag asks how many (<paramref name="statesCount"/>).</summary>
    public static CaptionMention Mention(SceneObject o, int count, bool statesCount)
    {
        var m = new ObjectMention(o.Shape, o.Colour, o.Size, o.Pattern, count == 1 ? o.Cell : null);
        return new CaptionMention(Enumerable.Repeat(m, count).ToList(), Count: statesCount ? count : null);
    }

    // Every value of the attribute the target can take (including its own), as objects.
    private List<SceneObject> Variants(BagAttribute a, SceneObject t, SceneBackground bg, List<int> freeCells) => a switch
    {
        BagAttribute.Colour => SceneLexicon.ColoursVisibleOn(bg, Config.MinContrast).Select(c => t with { Colour = c }).ToList(),
        BagAttribute.Shape => SceneLexicon.Shapes.Select(s => t with { Shape = s }).ToList(),
        BagAttribute.Size => SceneLexicon.Sizes.Select(s => t with { Size = s }).ToList(),
        BagAttribute.Pattern => SceneLexicon.Patterns.Select(p => t with { Pattern = p }).ToList(),
        BagAttribute.Position => freeCells.Prepend(t.Cell).Select(c => t with { Row = c / 3, Col = c % 3 }).ToList(),
        _ => throw new ArgumentOutOfRangeException(nameof(a), a, null),
    };

    /// <summary>Words the bag captions use beyond the lexicon's (for the vocabulary).</summary>
    public static IEnumerable<string> Phrases() => ["in the"];
}
