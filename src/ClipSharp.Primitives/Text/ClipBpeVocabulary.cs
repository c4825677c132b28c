using System.IO.Compression;
using System.Text;
using System.Text.Json;
using ClipSharp.Core;

namespace ClipSharp.Text;

/// <summary>
/// The OpenAI CLIP byte-level BPE vocabulary: token strings (bytes mapped to printable characters, word ends marked
/// with "&lt;/w&gt;"), merge ranks and the two special tokens. Loaded from OpenCLIP's
/// <c>bpe_simple_vocab_16e6.txt.gz</c> (merges only; the vocabulary is derived from them) or from a Hugging Face
/// <c>vocab.json</c> + <c>merges.txt</c> pair. Both give the same 49,408 ids for the OpenAI vocabulary.
/// </summary>
public sealed class ClipBpeVocabulary
{
    /// <summary>End-of-word suffix of the last symbol of every word.</summary>
    public const string EndOfWord = "</w>";

    private const int OpenClipMergeCount = 49152 - 256 - 2;

    private readonly Dictionary<string, int> _ids;
    private readonly string[] _tokens;
    private readonly Dictionary<long, (int Rank, int Merged)> _merges;

    private ClipBpeVocabulary(Dictionary<string, int> ids, List<(string A, string B)> merges,
        string startToken, string endToken, string source)
    {
        _ids = ids;
        _tokens = new string[ids.Values.Max() + 1];
        foreach (var (t, id) in ids) _tokens[id] = t;
        _merges = new Dictionary<long, (int, int)>(merges.Count);
        for (var rank = 0; rank < merges.Count; rank++)
        {
            var (a, b) = merges[rank];
            if (!ids.TryGetValue(a, out var ia) || !ids.TryGetValue(b, out var ib) || !ids.TryGetValue(a + b, out var im))
                throw new ClipSharpException($"BPE merge {rank} \"{a} {b}\" in {source} names a token missing from the vocabulary.");
            _merges.TryAdd(PairKey(ia, ib), (rank, im));
        }
        StartToken = startToken;
        EndToken = endToken;
        StartId = ids.TryGetValue(startToken, out var s) ? s : throw new ClipSharpException($"{source} has no start token {startToken}.");
        EndId = ids.TryGetValue(endToken, out var e) ? e : throw new ClipSharpException($"{source} has no end token {endToken}.");
        ByteSymbolIds = new int[256];
        ByteSymbolEndIds = new int[256];
        for (var b = 0; b < 256; b++)
        {
            var sym = ByteEncoder[b].ToString();
            ByteSymbolIds[b] = ids.TryGetValue(sym, out var i1) ? i1 : throw new ClipSharpException($"{source} lacks the byte symbol '{sym}'.");
            ByteSymbolEndIds[b] = ids.TryGetValue(sym + EndOfWord, out var i2) ? i2 : throw new ClipSharpException($"{source} lacks '{sym}{EndOfWord}'.");
        }
    }

    /// <summary>GPT-2/CLIP byte-to-character map: printable Latin-1 bytes map to themselves, the rest to U+0100+n.</summary>
    public static IReadOnlyList<char> ByteEncoder { get; } = BuildByteEncoder();

    /// <summary>Number of ids.</summary>
    public int Count => _tokens.Length;

    /// <summary>Start-of-text token string and id ("&lt;start_of_text&gt;" 49406 in OpenCLIP's file).</summary>
    public string StartToken { get; }

    /// <inheritdoc cref="StartToken"/>
    public int StartId { get; }

    /// <summary>End-of-text token string and id ("&lt;end_of_text&gt;" 49407 in OpenCLIP's file).</summary>
    public string EndToken { get; }

    /// <inheritdoc cref="EndToken"/>
    public int EndId { get; }

    internal int[] ByteSymbolIds { get; }
    internal int[] ByteSymbolEndIds { get; }

    /// <summary>Token string of an id, or null when out of range.</summary>
    public string? TokenOf(int id) => id >= 0 && id < _tokens.Length ? _tokens[id] : null;

    /// <summary>Id of a token string, or -1.</summary>
    public int IdOf(string token) => _ids.TryGetValue(token, out var id) ? id : -1;

    internal bool TryMerge(int left, int right, out int rank, out int merged)
    {
        if (_merges.TryGetValue(PairKey(left, right), out var m)) { rank = m.Rank; merged = m.Merged; return true; }
        rank = int.MaxValue; merged = -1;
        return false;
    }

    /// <summary>Reads OpenCLIP's <c>bpe_simple_vocab_16e6.txt.gz</c> (first line a header, then 48,894 merges used).</summary>
    public static ClipBpeVocabulary LoadOpenClip(string gzPath)
    {
        RequireFile(gzPath, "the CLIP BPE merges file");
        string[] lines;
        try
        {
            using var gz = new GZipStream(File.OpenRead(gzPath), CompressionMode.Decompress);
            using var reader = new StreamReader(gz, Encoding.UTF8);
            lines = reader.ReadToEnd().Split('\n');
        }
        catch (InvalidDataException e)
        {
            throw new ClipSharpException($"The CLIP BPE merges file {gzPath} is not a valid gzip file.", e);
        }
        if (lines.Length < OpenClipMergeCount + 1)
            throw new ClipSharpException($"The CLIP BPE merges file {gzPath} has {lines.Length - 1} merges, expected at least {OpenClipMergeCount}.");
        var merges = new List<(string, string)>(OpenClipMergeCount);
        for (var i = 1; i <= OpenClipMergeCount; i++) merges.Add(SplitMerge(lines[i], gzPath, i + 1));

        // Vocabulary order as OpenCLIP builds it: byte symbols, byte symbols + </w>, merge results, specials.
        var order = ByteOrder();
        var tokens = new List<string>(49408);
        foreach (var b in order) tokens.Add(ByteEncoder[b].ToString());
        foreach (var b in order) tokens.Add(ByteEncoder[b] + EndOfWord);
        foreach (var (a, c) in merges) tokens.Add(a + c);
        tokens.Add("<start_of_text>");
        tokens.Add("<end_of_text>");
        var ids = new Dictionary<string, int>(tokens.Count, StringComparer.Ordinal);
        for (var i = 0; i < tokens.Count; i++) ids[tokens[i]] = i;
        return new ClipBpeVocabulary(ids, merges, "<start_of_text>", "<end_of_text>", gzPath);
    }

    /// <summary>Reads a Hugging Face CLIP tokenizer pair (<c>vocab.json</c>, <c>merges.txt</c> with a "#version" header).</summary>
    public static ClipBpeVocabulary LoadHuggingFace(string vocabJsonPath, string mergesPath)
    {
        RequireFile(vocabJsonPath, "the BPE vocabulary (vocab.json)");
        RequireFile(mergesPath, "the BPE merges (merges.txt)");
        Dictionary<string, int> ids;
        try
        {
            ids = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(vocabJsonPath))
                  ?? throw new ClipSharpException($"{vocabJsonPath} is empty.");
        }
        catch (JsonException e)
        {
            throw new ClipSharpException($"{vocabJsonPath} is not a JSON object of token to id.", e);
        }
        var merges = new List<(string, string)>();
        var lineNo = 0;
        foreach (var line in File.ReadLines(mergesPath))
        {
            lineNo++;
            if (line.Length == 0 || (lineNo == 1 && line.StartsWith("#version", StringComparison.Ordinal))) continue;
            merges.Add(SplitMerge(line, mergesPath, lineNo));
        }
        var start = ids.ContainsKey("<|startoftext|>") ? "<|startoftext|>" : "<start_of_text>";
        var end = ids.ContainsKey("<|endoftext|>") ? "<|endoftext|>" : "<end_of_text>";
        return new ClipBpeVocabulary(new Dictionary<string, int>(ids, StringComparer.Ordinal), merges, start, end, vocabJsonPath);
    }

    private static (string, string) SplitMerge(string line, string path, int lineNo)
    {
        var sp = line.IndexOf(' ');
        if (sp <= 0 || sp == line.Length - 1 || line.IndexOf(' ', sp + 1) >= 0)
            throw new ClipSharpException($"Line {lineNo} of {path} is not a merge of two symbols: \"{line}\".");
        return (line[..sp], line[(sp + 1)..]);
    }

    private static void RequireFile(string path, string what)
    {
        if (!File.Exists(path)) throw new ClipSharpException($"Cannot find {what}: {path} does not exist.");
    }

    private static long PairKey(int a, int b) => ((long)a << 32) | (uint)b;

    // Bytes in the order of GPT-2's bytes_to_unicode dict: printable ranges first, then the rest ascending.
    private static List<int> ByteOrder()
    {
        var order = new List<int>(256);
        for (var b = '!'; b <= '~'; b++) order.Add(b);
        for (var b = 0xA1; b <= 0xAC; b++) order.Add(b);
        for (var b = 0xAE; b <= 0xFF; b++) order.Add(b);
        for (var b = 0; b < 256; b++) if (!order.Contains(b)) order.Add(b);
        return order;
    }

    private static char[] BuildByteEncoder()
    {
        var map = new char[256];
        var n = 0;
        foreach (var b in ByteOrder())
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)(256 + n++);
        }
        return map;
    }
}
