using ClipSharp.Cli;

namespace ClipSharp.Tests.Cli;

/// <summary>Runs the `clipsharp` command tree in-process and captures stdout/stderr.</summary>
[Collection("Console")]
public class CliTests
{
    internal static (int Code, string Out, string Err) Run(params string[] args)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var (o, e) = (new StringWriter(), new StringWriter());
        Console.SetOut(o);
        Console.SetError(e);
        try { return (CliApp.Run(args), o.ToString(), e.ToString()); }
        finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
    }

    [Fact]
    public void HelpListsDoctor()
    {
        var (code, output, _) = Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("doctor", output);
    }

    [Fact]
    public void DoctorPrintsVersionsAndPassesAutogradCheck()
    {
        var (code, output, err) = Run("doctor");
        Assert.True(code == 0, err);
        Assert.Contains("libtorch", output);
        Assert.Contains("libvips", output);
        Assert.Contains("ok (grad", output);
    }

    [Fact]
    public void BadDeviceIsOneSentenceOnStderrWithNonZeroExit()
    {
        var (code, output, err) = Run("doctor", "--device", "tpu");
        Assert.NotEqual(0, code);
        Assert.StartsWith("error: Device 'tpu' is not valid", err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.DoesNotContain("libtorch", output);
    }

    [Fact]
    public void UnknownCommandFails()
    {
        var (code, _, err) = Run("no-such-command");
        Assert.NotEqual(0, code);
        Assert.NotEmpty(err);
    }
}

[CollectionDefinition("Console", DisableParallelization = true)]
public class ConsoleCollection;
