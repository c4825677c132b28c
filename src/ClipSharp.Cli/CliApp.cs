using System.CommandLine;
using ClipSharp.Cli.Commands;
using ClipSharp.Core;

namespace ClipSharp.Cli;

/// <summary>The `clipsharp` command tree. Parsing lives here and in Commands/; the work lives in the library.</summary>
public static class CliApp
{
    /// <summary>Builds the root command with every subcommand (and a host's extra ones).</summary>
    public static RootCommand Build(CliHooks? hooks = null)
    {
        hooks ??= new CliHooks();
        var root = new RootCommand("ClipSharp: train, evaluate and use CLIP / CLIPS vision-language models in .NET.");
        root.Subcommands.Add(DoctorCommand.Create());
        root.Subcommands.Add(ScenesCommand.Create());
        root.Subcommands.Add(ConvertCommand.Create());
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(TrainCommand.Create(hooks.Faults));
        root.Subcommands.Add(WiseFtCommand.Create());
        root.Subcommands.Add(QuickstartCommand.Create());
        root.Subcommands.Add(ExperimentCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(EmbedCommand.Create());
        root.Subcommands.Add(SearchCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(ClassifyCommand.Create());
        root.Subcommands.Add(CaptionCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(DataCommand.Create());
        foreach (var c in hooks.ExtraCommands) root.Subcommands.Add(c);
        return root;
    }

    /// <summary>Parses and runs; returns the process exit code.</summary>
    public static int Run(string[] args, CliHooks? hooks = null)
    {
        var config = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
        // The CLI is an entry point, so it opts in to the process-wide settings the library never applies on its own:
        // libvips warnings go to the sample being decoded (bad-sample reasons, data inspect), not raw to stderr;
        // malloc tuning and MKL's GEMM dispatch before the first tensor (doctor shows both).
        ClipSharp.Data.Images.VipsWarnings.Capture();
        ProcessTuning.Apply();
        ClipSharp.Data.Images.VipsSettings.EnsureApplied();
        try
        {
            return Build(hooks).Parse(args).Invoke(config);
        }
        catch (Exception e)
        {
            return ReportError(e);
        }
    }

    /// <summary>One rank of a multi-process job failed: report it here, then abort every other rank (exit code 1).</summary>
    public static int FailRank(ClipSharp.Distributed.ICollectives dist, Exception e)
    {
        ReportError(e);
        dist.Abort($"rank {dist.Rank} failed: {e.Message}", 1);
        return 1;
    }

    /// <summary>Prints one clear sentence to stderr and returns the exit code for it.</summary>
    public static int ReportError(Exception e)
    {
        var inner = e is System.Reflection.TargetInvocationException { InnerException: { } ie } ? ie : e;
        switch (inner)
        {
            case ClipSharpException ce:
                Console.Error.WriteLine($"error: {ce.Message}");
                return 2;
            case FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException:
                Console.Error.WriteLine($"error: {inner.Message}");
                return 2;
            case OperationCanceledException:
                Console.Error.WriteLine("error: cancelled.");
                return 130;
            default:
                Console.Error.WriteLine($"error: unexpected {inner.GetType().Name}: {inner.Message}");
                if (Environment.GetEnvironmentVariable("CLIPSHARP_DEBUG") == "1") Console.Error.WriteLine(inner);
                return 1;
        }
    }
}
