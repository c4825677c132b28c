using System.CommandLine;
using ClipSharp.Inference;

namespace ClipSharp.Cli.Commands;

/// <summary>`clipsharp embed FOLDER --index I --model DIR`: builds or updates an image embedding index (resumable).</summary>
public static class EmbedCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("folder") { Description = "Folder of images (searched recursively)." };
        var index = new Option<string>("--index") { Description = "Index folder (created when absent, updated otherwise).", Required = true };
        var m = new ModelOptions();
        var ann = new AnnCliOptions();
        var cmd = new Command("embed", "Embed every image of a folder into an index; re-running adds new files, drops deleted ones and resumes an interrupted build.");
        cmd.Arguments.Add(folder);
        cmd.Options.Add(index);
        m.AddTo(cmd);
        ann.AddTo(cmd);
        cmd.SetAction(r =>
        {
            var dir = r.GetValue(index)!;
            var annOptions = ann.Parse(r, dir, (done, total) => Console.Error.Write($"\rbuilding the approximate index {done}/{total}"));
            using var pipe = m.Load(r);
            var report = IndexBuilder.Update(pipe, r.GetValue(folder)!, dir, annOptions,
                (done, total) => Console.Error.Write($"\rembedding {done}/{total} ({100.0 * done / Math.Max(1, total):F0}%)"));
            Console.Error.WriteLine();
            if (report.Reembedded is { } why) Console.WriteLine($"re-embedded every image: {why}");
            using var idx = EmbeddingIndex.Open(dir, AnnOptions.Off);
            Console.WriteLine($"index {idx.Directory}: {idx.Count} images ({report.Added} added, {report.Removed} removed, {report.Unchanged} unchanged, {report.Unreadable.Count} unreadable skipped)");
            Console.WriteLine(report.AnnStatus is { } s ? $"approximate index: {s}" : $"exact search (--ann {annOptions.Mode.ToString().ToLowerInvariant()}; auto goes approximate from {annOptions.Threshold} images)");
            foreach (var u in report.Unreadable.Take(10)) Console.WriteLine($"  unreadable: {u}");
            return 0;
        });
        return cmd;
    }
}
