using ClipSharp.Scenes;

namespace ClipSharp.Tests.Scenes;

public class SceneSamplerTests
{
    private static IEnumerable<Scene> Scenes(int n, WorldConfig? config = null)
    {
        var sampler = new SceneSampler(config ?? WorldConfig.Default);
        for (var i = 0; i < n; i++) yield return sampler.Sample(SceneRandom.For(11, "test", i));
    }

    [Fact]
    public void ScenesHaveOneToFourObjectsOnDistinctCellsInsideTheirCells()
    {
        var seenCounts = new HashSet<int>();
        foreach (var s in Scenes(2000))
        {
            Assert.InRange(s.Objects.Count, 1, 4);
            seenCounts.Add(s.Objects.Count);
            Assert.Equal(s.Objects.Count, s.Objects.Select(o => o.Cell).Distinct().Count());
            foreach (var o in s.Objects)
            {
                // the whole object (circumradius) stays inside its cell, so objects never overlap
                Assert.InRange(o.CenterX - o.Radius, o.Col, o.Col + 1);
                Assert.InRange(o.CenterX + o.Radius, o.Col, o.Col + 1);
                Assert.InRange(o.CenterY - o.Radius, o.Row, o.Row + 1);
                Assert.InRange(o.CenterY + o.Radius, o.Row, o.Row + 1);
                Assert.InRange(Math.Abs(o.Rotation), 0, WorldConfig.Default.MaxRotation);
                Assert.Contains(o.Colour, SceneLexicon.ObjectColours);
                foreach (var b in s.Background.VisibleColours)
                    Assert.True(SceneLexicon.Distance(o.Colour, b) >= WorldConfig.Default.MinContrast, $"{o.Colour} on {b}");
            }
        }
        Assert.Equal([1, 2, 3, 4], seenCounts.Order());
    }

    [Fact]
    public void EveryAttributeValueOccurs()
    {
        var all = Scenes(1500).ToList();
        var objs = all.SelectMany(s => s.Objects).ToList();
        Assert.Equal(SceneLexicon.Shapes.Count, objs.Select(o => o.Shape).Distinct().Count());
        Assert.Equal(SceneLexicon.ObjectColours.Count, objs.Select(o => o.Colour).Distinct().Count());
        Assert.Equal(SceneLexicon.Sizes.Count, objs.Select(o => o.Size).Distinct().Count());
        Assert.Equal(SceneLexicon.Patterns.Count, objs.Select(o => o.Pattern).Distinct().Count());
        Assert.Equal(9, objs.Select(o => o.Cell).Distinct().Count());
        Assert.Equal(3, all.Select(s => s.Background.Kind).Distinct().Count());
        Assert.True(SceneLexicon.Shapes.Count >= 8 && SceneLexicon.ObjectColours.Count >= 10);
    }

    [Fact]
    public void RelationsAgreeWithPixelPositions()
    {
        var checkedAny = 0;
        foreach (var s in Scenes(500))
        {
            foreach (var r in s.Relations)
            {
                var (a, b) = (s.Objects[r.Subject], s.Objects[r.Object]);
                switch (r.Kind)
                {
                    case RelationKind.LeftOf: Assert.True(a.CenterX < b.CenterX); break;
                    case RelationKind.Above: Assert.True(a.CenterY < b.CenterY); break;
                    case RelationKind.NextTo:
                        Assert.True(Math.Abs(a.CenterX - b.CenterX) + Math.Abs(a.CenterY - b.CenterY) < 1.5);
                        Assert.Equal(1, Math.Abs(a.Row - b.Row) + Math.Abs(a.Col - b.Col));
                        break;
                }
                checkedAny++;
            }
            // every pair in different columns has exactly one left-of relation
            for (var i = 0; i < s.Objects.Count; i++)
            for (var j = i + 1; j < s.Objects.Count; j++)
                if (s.Objects[i].Col != s.Objects[j].Col)
                    Assert.Single(s.Relations, r => r.Kind == RelationKind.LeftOf && (r.Subject, r.Object) is var p && (p == (i, j) || p == (j, i)));
        }
        Assert.True(checkedAny > 500);
    }

    [Fact]
    public void SalientObjectIsALargestOne()
    {
        foreach (var s in Scenes(300)) Assert.Equal(s.Objects.Max(o => o.Size), s.Salient.Size);
    }

    [Fact]
    public void SameSeedSameScenesOtherSeedOtherScenes()
    {
        var sampler = new SceneSampler(WorldConfig.Default);
        var a = SceneJson.ToJson(sampler.Sample(SceneRandom.For(1, "train", 5)));
        var b = SceneJson.ToJson(sampler.Sample(SceneRandom.For(1, "train", 5)));
        var c = SceneJson.ToJson(sampler.Sample(SceneRandom.For(2, "train", 5)));
        var d = SceneJson.ToJson(sampler.Sample(SceneRandom.For(1, "eval", 5)));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(a, d);
    }
}
