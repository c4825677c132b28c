using ClipSharp.Encoders;
using ClipSharp.Core;
using ClipSharp.Evaluation;
using ClipSharp.Inference;
using ClipSharp.Tests.Support;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Evaluation;

/// <summary>Zero-shot classification on image-folder and CSV datasets against a per-image brute-force reference.</summary>
public class ZeroShotTests
{
    private static string Folder(out int images)
    {
        var root = TestPaths.NewTempDir("zsfolder");
        string[] classes = ["red_circle", "blue_square", "green_star"];
        images = 0;
        for (int c = 0; c < classes.Length; c++)
            for (int i = 0; i < 2 + c; i++, images++)
                EvalTestModels.WriteImage(Path.Combine(root, classes[c], $"{i}.{(i % 2 == 0 ? "png" : "jpg")}"), 10 * c + i);
        File.WriteAllText(Path.Combine(root, "README.txt"), "not a class");
        return root;
    }

    [Fact]
    public void ImageFolderMetricsEqualBruteForce()
    {
        var root = Folder(out int n);
        var data = ZeroShotDataset.FromImageFolder(root);
        Assert.Equal(["blue square", "green star", "red circle"], data.ClassNames);
        Assert.Equal(n, data.ImagePaths.Count);
        var model = EvalTestModels.TinyClips(4);
        var tok = EvalTestModels.WorldTokenizer();
        var tf = EvalTestModels.Transform64();
        string[] templates = ["a photo of a {}.", "a {} on a plain background"];
        var got = ZeroShotEvaluator.Evaluate(model, tok, tf, data, templates, new ZeroShotOptions { BatchSize = 2 });

        using var _ = no_grad();
        var cls = data.ClassNames.Select(c =>
        {
            var e = templates.Select(t => model.EncodeText(tensor(tok.Encode(t.Replace("{}", c))).unsqueeze(0), normalize: true)[0]).ToList();
            var m = stack(e).mean([0]);
            return m / m.norm();
        }).ToList();
        int top1 = 0;
        var perClassHits = new int[3];
        var perClassCount = new int[3];
        for (int i = 0; i < n; i++)
        {
            var img = model.EncodeImage(tf.Apply(data.ImagePaths[i]).unsqueeze(0), normalize: true)[0];
            var s = cls.Select(c => c.dot(img).item<float>()).ToArray();
            int best = Array.IndexOf(s, s.Max());
            Assert.Equal(best, got.Predictions[i]);
            perClassCount[data.Labels[i]]++;
            if (best == data.Labels[i]) { top1++; perClassHits[best]++; }
        }
        Assert.Equal(top1 / (double)n, got.Top1, 12);
        Assert.Equal(1.0, got.Top5);                      // 3 classes: always within the top 5
        for (int c = 0; c < 3; c++) Assert.Equal(perClassHits[c] / (double)perClassCount[c], got.PerClassAccuracy[c], 12);
        Assert.Equal(got.PerClassAccuracy.Average(), got.MeanPerClassRecall, 12);
        Assert.Equal(["acc1", "acc5", "mean_per_class_recall"], got.ToBenchmarkMetrics().Keys);
    }

    [Fact]
    public void ScoreCountsTopKByStrictlyHigherClasses()
    {
        // 2 images, 6 classes: class k = e_k; image 0 points to class 0 (label 0 → top-1); image 1 = e_5 with label 1
        var classes = eye(6);
        var images = stack([eye(6)[0], eye(6)[5] * 0.9 + eye(6)[1] * 0.1]);
        var m = ZeroShotEvaluator.Score(images, classes, [0, 1], ["a", "b", "c", "d", "e", "f"]);
        Assert.Equal(0.5, m.Top1);
        Assert.Equal(1.0, m.Top5);
        Assert.Equal([1.0, 0.0], m.PerClassAccuracy.Take(2));
        Assert.True(double.IsNaN(m.PerClassAccuracy[2]));
        Assert.Equal(0.5, m.MeanPerClassRecall);
    }

    [Fact]
    public void CsvWithNamesOrIndicesAndTemplateFiles()
    {
        var root = Folder(out _);
        var csv = Path.Combine(root, "labels.csv");
        File.WriteAllLines(csv, ["path,label", "red_circle/0.png,red", "blue_square/1.jpg,1", "\"green_star/0.png\",blue"]);
        var names = Path.Combine(root, "names.txt");
        File.WriteAllLines(names, ["# colours", "red", "green", "", "blue"]);
        var d = ZeroShotDataset.FromCsv(csv, classNamesFile: names);
        Assert.Equal(["red", "green", "blue"], d.ClassNames);
        Assert.Equal([0, 1, 2], d.Labels);
        Assert.EndsWith(Path.Combine("green_star", "0.png"), d.ImagePaths[2]);
        File.AppendAllLines(csv, ["red_circle/1.jpg,purple"]);
        Assert.Contains("line 5", Assert.Throws<ClipSharpException>(() => ZeroShotDataset.FromCsv(csv, classNamesFile: names)).Message);

        var openai = ClassNameList.LoadTemplates("openai");
        Assert.Equal(80, openai.Count);
        Assert.Equal(80, openai.Distinct().Count());
        Assert.All(openai, t => Assert.Contains("{}", t));
        Assert.Equal(["a photo of a {}."], ClassNameList.LoadTemplates("simple"));
        Assert.Equal(7, ClassNameList.LoadTemplates("openai-selected").Count);
        Assert.Throws<ClipSharpException>(() => ClassNameList.LoadTemplates("nope"));
        Assert.Equal("a cat in the snow", ZeroShotHead.Fill("a {} in the snow", "cat"));
    }
}
