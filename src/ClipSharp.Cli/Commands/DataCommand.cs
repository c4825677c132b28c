using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClipSharp.Data;
using ClipSharp.Data.Images;
using ClipSharp.Text;

namespace ClipSharp.Cli.Commands;

/// <summary>`clipsharp data inspect|convert`: look into a data source; write webdataset shards. (Loader throughput: the bench project's `loader` mode.)</summary>
public static class DataCommand
{
    public static Command Create()
    {
        var cmd = new Command("data", "Inspect data sources, convert manifests and folders to webdataset shards.");
        cmd.Subcommands.Add(Inspect());
        cmd.Subcommands.Add(DataConvertCommand.Create());
        return cmd;
    }

    private static Option<string> SourceOption() => new("--source") { Description = "Shards (pattern / folder of .tar), a .jsonl/.csv/.tsv/.parquet manifest, or an image folder.", Required = true };
    private static Option<string?> TypeOption() => new("--type") { Description = "wds, jsonl, csv, tsv, parquet or folder (default: from the path)." };
    private static Option<string?> VocabOption() => new("--vocab") { Description = "Tokenizer vocabulary: vocab.txt (BERT WordPiece, CLIPS) or bpe_simple_vocab_16e6.txt.gz / vocab.json (CLIP BPE)." };
    private static Option<int> ContextOption() => new("--context") { Description = "Tokenizer context length.", DefaultValueFactory = _ => 77 };

    private static DataSourceSpec Spec(string path, string? type) => new() { Path = path, Type = type ?? DataSourceSpec.InferType(path) };

    private static ITextTokenizer? Tokenizer(string? vocab, int context) => vocab is null ? null
        : TokenizerFactory.Create(new TokenizerSpec(vocab.EndsWith(".txt", StringComparison.OrdinalIgnoreCase) && !vocab.Contains("bpe", StringComparison.OrdinalIgnoreCase)
            ? "bert-base-uncased" : null, vocab, context));

    private static Command Inspect()
    {
        var (source, type, vocab, context) = (SourceOption(), TypeOption(), VocabOption(), ContextOption());
        var limit = new Option<long?>("--limit") { Description = "Read at most this many samples." };
        var cmd = new Command("inspect", "Count samples, field coverage, caption lengths and bad samples by reason; print a few examples (JSON).");
        foreach (var o in new Option[] { source, type, limit, vocab, context }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            var report = DataInspector.Inspect(Spec(r.GetValue(source)!, r.GetValue(type)), r.GetValue(limit), Tokenizer(r.GetValue(vocab), r.GetValue(context)));
            Console.WriteLine(report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        });
        return cmd;
    }
}
