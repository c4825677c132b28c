namespace ClipSharp.Core;

/// <summary>
/// A user-facing error: bad input, a missing file, a malformed checkpoint. The message is one clear sentence that
/// names the file, sample or key and what is wrong; the CLI prints it to stderr and exits non-zero.
/// </summary>
public class ClipSharpException : Exception
{
    /// <summary>Creates the error with its one-sentence message.</summary>
    public ClipSharpException(string message) : base(message) { }

    /// <summary>Creates the error with its one-sentence message and the underlying cause.</summary>
    public ClipSharpException(string message, Exception inner) : base(message, inner) { }
}
