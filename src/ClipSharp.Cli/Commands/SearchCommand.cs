using System.CommandLine;
using System.Diagnostics;
using ClipSharp.Core;
using ClipSharp.Inference;

namespace ClipSharp.Cli.Commands;

/// <summary>`clipsharp search I "text" --model DIR` or `clipsharp search I --image q.jpg --model DIR`: top-k images of an index.</summary>
public static class SearchCommand
{
    public static Command Create()
    {
        var index = new Argument<string>("index") { Description = "Index folder built by `clipsharp embed`." };
        var text = new Argument<string?>("query") { Description = "Text query.", Arity = ArgumentArity.ZeroOrOne };
        var image = new Option<string?>("--image") { Description = "Image query instead of (or added to) the text." };
        var top = new Option<int>("--top", "-k") { Description = "Number of results.", DefaultValueFactory = _ => 10 };
        var m = new ModelOptions();
        var ann = new AnnCliOptions();
        var cmd = new Command("search", "Search an image index with a text or image query.");
        cmd.Arguments.Add(index);
        cmd.Arguments.Add(text);
        cmd.Options.Add(image);
        cmd.Options.Add(top);
        m.AddTo(cmd);
        ann.AddTo(cmd);
        cmd.SetAction(r =>
        {
            var (q, img) = (r.GetValue(text), r.GetValue(image));
            if (string.IsNullOrWhiteSpace(q) && img is null) throw new ClipSharpException("Give a text query or --image FILE.");
            var annOptions = ann.Parse(r, r.GetValue(index)!);
            using var idx = EmbeddingIndex.Open(r.GetValue(index)!, annOptions);   // before loading the model: a typo fails fast
            using var pipe = m.Load(r);
            IndexBuilder.RequireSameModel(idx, pipe);
            var parts = new List<float[]>();
            if (!string.IsNullOrWhiteSpace(q)) parts.Add(pipe.EncodeText(q));
            if (img is not null) parts.Add(pipe.EncodeImage(img));
            var query = new float[pipe.EmbeddingDim];
            foreach (var p in parts) System.Numerics.Tensors.TensorPrimitives.Add(query, p, query);
            System.Numerics.Tensors.TensorPrimitives.Divide(query, System.Numerics.Tensors.TensorPrimitives.Norm(query), query);
            var sw = Stopwatch.StartNew();
            var hits = idx.Search(query, r.GetValue(top));
            sw.Stop();
            foreach (var h in hits) Console.WriteLine($"{h.Score,8:F4}  {h.Path}");
            Console.Error.WriteLine($"{idx.Count} images searched in {sw.Elapsed.TotalMilliseconds:F1} ms ({idx.AnnStatus ?? "exact"})");
            return 0;
        });
        return cmd;
    }
}
