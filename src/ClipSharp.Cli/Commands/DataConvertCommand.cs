using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClipSharp.Data;
using ClipSharp.Data.Sources;

namespace ClipSharp.Cli.Commands;

/// <summary>
/// `clipsharp data convert SOURCE --out DIR`: write a manifest (JSONL/CSV/TSV/Parquet) or an image folder with
/// caption sidecars as webdataset shards; prints a JSON summary with the bad samples skipped, by reason.
/// </summary>
public static class DataConvertCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("source") { Description = "A .jsonl/.csv/.tsv/.parquet manifest, an image folder with NAME.json / NAME.txt sidecars, or shards." };
        var type = new Option<string?>("--type") { Description = "jsonl, csv, tsv, parquet, folder or wds (default: from the path)." };
        var outDir = new Option<string>("--out") { Description = "Output folder for shard-000000.tar, ...", Required = true };
        var shardSize = new Option<int>("--shard-size") { Description = "Samples per shard.", DefaultValueFactory = _ => 1000 };
        var web = new Option<string>("--web-field") { Description = "Web caption field / column.", DefaultValueFactory = _ => "org_caption" };
        var synthetic = new Option<string>("--synthetic-field") { Description = "Synthetic caption field / column.", DefaultValueFactory = _ => "re_caption" };
        var imageField = new Option<string>("--image-field") { Description = "Manifests: the image path column.", DefaultValueFactory = _ => "image" };
        var imageRoot = new Option<string?>("--image-root") { Description = "Manifests: folder relative image paths are resolved against (default: the manifest's folder)." };
        var strict = new Option<bool>("--strict") { Description = "Fail on the first bad sample instead of skipping it." };
        var cmd = new Command("convert", "Write a manifest or an image folder as webdataset shards (original image bytes, KEY.txt web caption, KEY.json captions and other columns).");
        cmd.Arguments.Add(source);
        foreach (var o in new Option[] { type, outDir, shardSize, web, synthetic, imageField, imageRoot, strict }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            var path = r.GetValue(source)!;
            var spec = new DataSourceSpec
            {
                Path = path,
                Type = r.GetValue(type) ?? DataSourceSpec.InferType(path),
                WebField = r.GetValue(web)!,
                SyntheticField = r.GetValue(synthetic)!,
                ImageField = r.GetValue(imageField)!,
                ImageRoot = r.GetValue(imageRoot),
            };
            long lastShown = 0;
            var result = WebDatasetConverter.Convert(spec, new ConvertOptions(r.GetValue(outDir)!, r.GetValue(shardSize), r.GetValue(strict)),
                n => { if (n - lastShown >= 10_000) { lastShown = n; Console.Error.WriteLine($"{n:N0} samples read"); } });
            if (result.Skipped.Total > 0) Console.Error.WriteLine(result.Skipped.Summary());
            var report = new JsonObject
            {
                ["source"] = path, ["type"] = spec.NormalizedType, ["out"] = r.GetValue(outDir), ["shards"] = result.ShardPaths.Count,
                ["samples"] = result.Written, ["bad_samples"] = result.Skipped.ToJsonNode(),
            };
            Console.WriteLine(report.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
            return 0;
        });
        return cmd;
    }
}
