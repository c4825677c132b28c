using ClipSharp.Core;

namespace ClipSharp.Text;

/// <summary>
/// A BERT WordPiece vocabulary: one token per line of <c>vocab.txt</c>, id = line index; continuation pieces start
/// with "##". Built-in layout of the special ids (BERT-base-uncased, CLIPS): [PAD]=0, bos=1, eos=2, [UNK]=100,
/// [CLS]=101, [SEP]=102, [MASK]=103. <see cref="Build"/> writes a small vocabulary with the same special ids.
/// </summary>
public sealed class WordPieceVocabulary
{
    /// <summary>Special ids fixed by the CLIPS layout (they are positions, whatever the tokens are called).</summary>
    public const int PadId = 0, BosId = 1, EosId = 2, UnkId = 100, ClsId = 101, SepId = 102, MaskId = 103;

    /// <summary>The continuation prefix.</summary>
    public const string ContinuationPrefix = "##";

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;

    /// <summary>Creates a vocabulary from tokens in id order (duplicates keep their first id).</summary>
    public WordPieceVocabulary(IReadOnlyList<string> tokens)
    {
        if (tokens.Count <= MaskId)
            throw new ClipSharpException($"A WordPiece vocabulary needs at least {MaskId + 1} entries (special ids up to {MaskId}); got {tokens.Count}.");
        _tokens = [.. tokens];
        _ids = new Dictionary<string, int>(tokens.Count, StringComparer.Ordinal);
        for (var i = 0; i < _tokens.Length; i++) _ids.TryAdd(_tokens[i], i);
        Lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Number of entries (30,522 for BERT-base-uncased).</summary>
    public int Count => _tokens.Length;

    /// <summary>All tokens in id order.</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    internal Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> Lookup { get; }

    /// <summary>Token of an id (null when out of range).</summary>
    public string? TokenOf(int id) => id >= 0 && id < _tokens.Length ? _tokens[id] : null;

    /// <summary>Id of a token, or -1.</summary>
    public int IdOf(string token) => _ids.TryGetValue(token, out var id) ? id : -1;

    /// <summary>True for the ids <see cref="ITextTokenizer.Decode"/> drops: pad, bos, eos, [CLS], [SEP], [MASK].</summary>
    public static bool IsControlId(long id) => id is PadId or BosId or EosId or ClsId or SepId or MaskId;

    /// <summary>Reads <c>vocab.txt</c> (UTF-8, one token per line; a trailing empty line is ignored).</summary>
    public static WordPieceVocabulary Load(string path)
    {
        if (!File.Exists(path))
            throw new ClipSharpException($"Cannot find the WordPiece vocabulary: {path} does not exist.");
        var lines = File.ReadAllLines(path);
        var n = lines.Length;
        while (n > 0 && lines[n - 1].Length == 0) n--;
        var tokens = new string[n];
        for (var i = 0; i < n; i++) tokens[i] = lines[i].TrimEnd('\r');
        try
        {
            return new WordPieceVocabulary(tokens);
        }
        catch (ClipSharpException e)
        {
            throw new ClipSharpException($"The WordPiece vocabulary {path} is too short: {e.Message}", e);
        }
    }

    /// <summary>Writes the vocabulary as <c>vocab.txt</c>.</summary>
    public void Save(string path) => File.WriteAllText(path, string.Join('\n', _tokens) + "\n");

    /// <summary>
    /// A vocabulary for the given (already lower-case, accent-free) words and pieces. Layout: [PAD], [bos], [eos],
    /// [unused2]..[unused98], [UNK], [CLS], [SEP], [MASK], then every distinct entry of <paramref name="words"/> in
    /// order; with <paramref name="includeCharacters"/>, also every character of those words, alone and as a "##"
    /// continuation, so that any word made of known characters tokenizes without [UNK].
    /// </summary>
    public static WordPieceVocabulary Build(IEnumerable<string> words, bool includeCharacters = true)
    {
        var tokens = new List<string> { "[PAD]", "[bos]", "[eos]" };
        for (var i = 3; i < UnkId; i++) tokens.Add($"[unused{i - 1}]");
        tokens.AddRange(["[UNK]", "[CLS]", "[SEP]", "[MASK]"]);
        var seen = new HashSet<string>(tokens, StringComparer.Ordinal);
        var list = words.ToList();
        foreach (var w in list)
            if (w.Length > 0 && seen.Add(w)) tokens.Add(w);
        if (includeCharacters)
        {
            var chars = list.SelectMany(w => w.EnumerateRunes()).Select(r => r.ToString())
                .Where(c => !c.StartsWith('#')).Distinct().OrderBy(c => c, StringComparer.Ordinal).ToList();
            foreach (var c in chars) if (seen.Add(c)) tokens.Add(c);
            foreach (var c in chars) if (seen.Add(ContinuationPrefix + c)) tokens.Add(ContinuationPrefix + c);
        }
        return new WordPieceVocabulary(tokens);
    }
}
