namespace ClipSharp.Scenes;

/// <summary>
/// The WordPiece vocabulary of the world in the CLIPS / BERT layout: id 0 "[PAD]", 1 "[unused0]" (bos), 2 "[unused1]"
/// (eos), 3..99 "[unused2]".."[unused98]", 100 "[UNK]", 101 "[CLS]", 102 "[SEP]", 103 "[MASK]", then every word and
/// punctuation mark the caption writers can emit (sorted), the digits "0".."9" with continuations "##0".."##9"
/// (file names such as "img_2041.jpg" → img _ 2 ##0 ##4 ##1 . jpg), and single letters with "##" continuations as a
/// last resort. A BERT basic tokenizer plus greedy WordPiece over it never yields [UNK] for generated captions.
/// </summary>
public static class WorldVocabulary
{
    /// <summary>Id of [PAD].</summary>
    public const int PadId = 0;
    /// <summary>Id of the bos token "[unused0]".</summary>
    public const int BosId = 1;
    /// <summary>Id of the eos token "[unused1]".</summary>
    public const int EosId = 2;
    /// <summary>Id of [UNK].</summary>
    public const int UnkId = 100;
    /// <summary>Id of [CLS].</summary>
    public const int ClsId = 101;
    /// <summary>Id of [SEP].</summary>
    public const int SepId = 102;
    /// <summary>Id of [MASK].</summary>
    public const int MaskId = 103;

    private static readonly Lazy<IReadOnlyList<string>> _words = new(CollectWords);
    private static readonly Lazy<IReadOnlyList<string>> _tokens = new(BuildTokens);

    /// <summary>Every whole word and punctuation mark the writers can emit, sorted ordinally.</summary>
    public static IReadOnlyList<string> Words => _words.Value;

    /// <summary>The vocabulary, index = id.</summary>
    public static IReadOnlyList<string> Tokens => _tokens.Value;

    /// <summary>Writes <c>vocab.txt</c> (one token per line, '\n' line ends).</summary>
    public static void Write(string path) => File.WriteAllText(path, string.Join('\n', Tokens) + "\n");

    private static IReadOnlyList<string> CollectWords()
    {
        var phrases = SceneLexicon.Phrases()
            .Concat(RecaptionWriter.Phrases())
            .Concat(SubjectRecaptionWriter.Phrases())
            .Concat(HumanCaptionWriter.Phrases())
            .Concat(HeldOutCaptionWriter.Phrases())
            .Concat(WebCaptionWriter.Phrases())
            .Concat(FineGrainedBagBuilder.Phrases());
        var words = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var p in phrases)
            foreach (var t in CaptionText.BasicTokens(CaptionText.StripSlots(p)))
                words.Add(t);
        // Digits written with letters glued on (file names: "dsc01234", "file123") need the pieces below, not words.
        words.RemoveWhere(w => w.Any(char.IsDigit) && w.Length > 1);
        return words.ToList();
    }

    private static IReadOnlyList<string> BuildTokens()
    {
        var tokens = new List<string> { "[PAD]" };
        for (var i = 0; tokens.Count < UnkId; i++) tokens.Add($"[unused{i}]");
        tokens.AddRange(["[UNK]", "[CLS]", "[SEP]", "[MASK]"]);
        var seen = new HashSet<string>(tokens);
        void Add(string t) { if (seen.Add(t)) tokens.Add(t); }
        foreach (var w in Words) Add(w);
        for (var d = 0; d < 10; d++) Add(d.ToString());
        for (var d = 0; d < 10; d++) Add("##" + d);
        for (var c = 'a'; c <= 'z'; c++) Add(c.ToString());
        for (var c = 'a'; c <= 'z'; c++) Add("##" + c);
        return tokens;
    }
}
