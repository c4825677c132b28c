namespace ClipSharp.Fuzz;

/// <summary>
/// One reader under fuzz. The contract every target checks: the reader ends each input with a result or a
/// <see cref="Core.ClipSharpException"/> whose message names the input (its file path, or the name it was given);
/// anything else is a failure, and so is a run slower than the runner's limit or one that allocates more than
/// <see cref="AllocationCap"/>.
/// </summary>
public abstract class FuzzTarget
{
    private IReadOnlyList<byte[]>? _seeds;

    /// <summary>The name used by <c>--target</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The scratch file's extension (readers that dispatch on it see a plausible name).</summary>
    public virtual string Extension => ".bin";

    /// <summary>Whether a <see cref="Core.ClipSharpException"/> must name the input file (false for in-memory readers with no file).</summary>
    public virtual bool NamesInput => true;

    /// <summary>Longest input the mutator produces.</summary>
    public virtual int MaxInputLength => 1 << 20;

    /// <summary>Tokens the mutator inserts or writes over the input (keywords, markers, invalid UTF-8).</summary>
    public virtual IReadOnlyList<byte[]> Dictionary => [];

    /// <summary>The valid inputs mutations start from (made once).</summary>
    public IReadOnlyList<byte[]> Seeds => _seeds ??= MakeSeeds();

    /// <summary>
    /// Bytes one input may make the reader allocate (managed allocations of the reading thread plus the native tensor
    /// or pixel bytes <see cref="Run"/> reports): 64 MiB plus 16 bytes per input byte. A file that claims 2^40
    /// elements, an 8 GiB member or a huge storage must be refused before its memory is asked for.
    /// </summary>
    public virtual long AllocationCap(int inputLength) => (64L << 20) + 16L * inputLength;

    /// <summary>A line on what this target exercises on this machine (printed before a campaign).</summary>
    public virtual string Describe() => Name;

    /// <summary>Makes the seed inputs.</summary>
    protected abstract IReadOnlyList<byte[]> MakeSeeds();

    /// <summary>The next input: a mutation of a random seed (targets may mutate structure-aware).</summary>
    public virtual byte[] NextInput(Random rng)
    {
        var seed = Seeds[rng.Next(Seeds.Count)];
        return Mutator.Mutate(rng, seed, Seeds, Dictionary, MaxInputLength);
    }

    /// <summary>
    /// Runs the reader on <paramref name="input"/>, which is also written at <paramref name="path"/>. Returns the
    /// native bytes it knowingly made the reader allocate (tensors, pixels), for the allocation cap.
    /// </summary>
    public abstract long Run(byte[] input, string path);
}
