using ClipSharp.Scenes;

namespace ClipSharp.Tests.Scenes;

public class FineGrainedBagTests
{
    private static readonly WorldSamples World = new(WorldConfig.Default, 13);

    // The object with the varied attribute reset to the first image's value: equal for all images iff only it differs.
    private static SceneObject Normalise(SceneObject o, SceneObject reference, BagAttribute a) => a switch
    {
        BagAttribute.Colour => o with { Colour = reference.Colour },
        BagAttribute.Shape => o with { Shape = reference.Shape },
        BagAttribute.Size => o with { Size = reference.Size },
        BagAttribute.Pattern => o with { Pattern = reference.Pattern },
        BagAttribute.Position => o with { Row = reference.Row, Col = reference.Col },
        _ => throw new ArgumentOutOfRangeException(nameof(a)),
    };

    private static string ValueOf(SceneObject o, BagAttribute a) => a switch
    {
        BagAttribute.Colour => o.Colour.ToString(),
        BagAttribute.Shape => o.Shape.ToString(),
        BagAttribute.Size => o.Size.ToString(),
        BagAttribute.Pattern => o.Pattern.ToString(),
        _ => o.Cell.ToString(),
    };

    [Fact]
    public void BagsDifferInExactlyOneAttributeOfOneObject()
    {
        var attributes = new HashSet<BagAttribute>();
        for (var k = 0; k < 60; k++)
        {
            var bag = World.Bag(k);
            attributes.Add(bag.Attribute);
            var imgs = bag.Images;
            Assert.InRange(imgs.Count, 4, 10);
            Assert.Equal(imgs.Count, imgs.Select(i => i.Caption).Distinct().Count());
            var first = imgs[0].Scene;
            Assert.All(imgs, i => Assert.Equal(first.Background, i.Scene.Background));
            Assert.All(imgs, i => Assert.Equal(first.Noise, i.Scene.Noise));
            if (bag.Attribute == BagAttribute.Count)
            {
                var counts = imgs.Select(i => i.Scene.Objects.Count).ToList();
                Assert.Equal(Enumerable.Range(1, imgs.Count), counts.Order());
                var largest = imgs.MaxBy(i => i.Scene.Objects.Count)!.Scene.Objects;
                foreach (var i in imgs)
                {
                    Assert.Equal(largest.Take(i.Scene.Objects.Count), i.Scene.Objects);  // the same copies, one more each time
                    Assert.All(i.Scene.Objects, o => Assert.True(o.LooksLike(largest[0])));
                    Assert.StartsWith(i.Scene.Objects.Count == 1 ? "a" : SceneLexicon.NumberWord(i.Scene.Objects.Count), i.Caption);
                }
                Assert.Equal(largest.Count, largest.Select(o => o.Cell).Distinct().Count());
                continue;
            }
            var t = bag.TargetObject;
            Assert.All(imgs, i => Assert.Equal(first.Objects.Count, i.Scene.Objects.Count));
            for (var j = 0; j < first.Objects.Count; j++)
            {
                if (j == t) continue;
                Assert.All(imgs, i => Assert.Equal(first.Objects[j], i.Scene.Objects[j]));
            }
            var reference = first.Objects[t];
            Assert.All(imgs, i => Assert.Equal(reference, Normalise(i.Scene.Objects[t], reference, bag.Attribute)));
            Assert.Equal(imgs.Count, imgs.Select(i => ValueOf(i.Scene.Objects[t], bag.Attribute)).Distinct().Count());
            // no object shares a cell, and the caption describes the target as drawn
            foreach (var i in imgs)
            {
                Assert.Equal(i.Scene.Objects.Count, i.Scene.Objects.Select(o => o.Cell).Distinct().Count());
                Assert.Equal(FineGrainedBagBuilder.Caption(i.Scene.Objects[t], 1), i.Caption);
            }
        }
        Assert.Equal(6, attributes.Count);
    }

    [Fact]
    public void BagCaptionsDifferOnlyInTheVariedWords()
    {
        for (var k = 0; k < 12; k++)
        {
            var bag = World.Bag(k);
            // count bags: the one-copy caption also names the position, so compare the plural ones
            var captions = bag.Images.Select(i => i.Caption).Where(c => bag.Attribute != BagAttribute.Count || !c.StartsWith('a')).ToList();
            var words = captions.Select(c => c.Split(' ')).ToList();
            var positions = Enumerable.Range(0, words.Max(w => w.Length))
                .Count(p => words.Select(w => p < w.Length ? w[p] : "").Distinct().Count() > 1);
            // position names take one or two words ("center", "top left"); every other attribute is one word
            Assert.InRange(positions, 1, bag.Attribute is BagAttribute.Position ? 2 : 1);
        }
    }
}
