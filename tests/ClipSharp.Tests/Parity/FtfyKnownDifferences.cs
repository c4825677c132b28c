using ClipSharp.Tests.Support;
using ClipSharp.Text;

namespace ClipSharp.Tests.Parity;

/// <summary>
/// The cases of the ftfy fixture set (tests/fixtures/ftfy) where ClipSharp's <see cref="TextFixer"/> deliberately
/// differs from ftfy 6.3.1 (the steps it leaves out, listed on <see cref="TextFixer"/>). The parity theories skip
/// them; <see cref="LeftOutStepsStillDifferFromFtfy"/> shows the difference in the fixed text and in the CLIP ids,
/// so a change that closes a gap fails here and moves the case back to the parity theories.
/// </summary>
public class FtfyKnownDifferences
{
    /// <summary>Fixture id to the ftfy behaviour ClipSharp leaves out.</summary>
    public static readonly IReadOnlyDictionary<int, string> Cases = new Dictionary<int, string>
    {
        [22] = "badness score over the whole segment: ftfy decodes triple-encoded mojibake to a different (also broken) text",
        [23] = "code pages other than Windows-1252/Latin-1: MacRoman mojibake of 'é' stays",
    };

    public static TheoryData<int, string> Rows
    {
        get
        {
            var rows = new TheoryData<int, string>();
            foreach (var (id, why) in Cases.OrderBy(p => p.Key)) rows.Add(id, why);
            return rows;
        }
    }

    /// <summary>Whether a parity row is one of the known differences.</summary>
    public static bool IsKnown(string set, int id) => set == "ftfy" && Cases.ContainsKey(id);

    [SharedTheory]
    [MemberData(nameof(Rows))]
    public void LeftOutStepsStillDifferFromFtfy(int id, string why)
    {
        var c = TokenizerFixtures.Load(TokenizerFixtures.CaseFile("ftfy", "tokenizer_cases.jsonl"))[id];
        var text = TokenizerFixtures.Text(c);
        Assert.True(c.GetProperty("ftfy").GetString() != TextFixer.Fix(text),
            $"case {id} now matches ftfy ({why}): remove it from FtfyKnownDifferences.Cases");
        var ids = TokenizerFixtures.Ints(c.GetProperty("bpe_ids"));
        Assert.NotEqual(ids, TokenizerFixtures.BpeTokenizer.ContentIds(text).ToArray());
    }
}
