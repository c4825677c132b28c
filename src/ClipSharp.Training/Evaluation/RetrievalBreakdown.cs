namespace ClipSharp.Evaluation;

/// <summary>Text→image recall@K over the captions that make one statement and over those that do not.</summary>
/// <param name="Statement">A <see cref="Data.CaptionStatements"/> name ("background", "size", …).</param>
/// <param name="Stating">Captions making the statement.</param>
/// <param name="StatingRecall">Their text→image recall@K, by K (empty when there are none).</param>
/// <param name="Omitting">Captions not making it.</param>
/// <param name="OmittingRecall">Their text→image recall@K, by K.</param>
public sealed record StatementRecall(string Statement, int Stating, IReadOnlyDictionary<int, double> StatingRecall,
    int Omitting, IReadOnlyDictionary<int, double> OmittingRecall);

/// <summary>
/// Retrieval broken down by what the captions state: for each statement, T→I recall@K of the captions that make it
/// against those that leave it unsaid. It shows whether a model's misses come from what a caption says (a model that
/// reads colour and background but not position fails the captions that say only where the object is) or from how it
/// says it. The captions' ranks are the evaluator's own (<see cref="RetrievalMetrics.TextRanks"/>).
/// </summary>
public static class RetrievalBreakdown
{
    /// <summary>One row per statement in <see cref="Data.CaptionStatements.All"/>.</summary>
    public static IReadOnlyList<StatementRecall> ByStatement(IReadOnlyList<int> textRanks, IReadOnlyList<IReadOnlySet<string>> states, IReadOnlyList<int> ks)
    {
        if (textRanks.Count != states.Count)
            throw new Core.ClipSharpException($"{textRanks.Count} caption ranks but {states.Count} caption statement sets.");
        return Data.CaptionStatements.All.Select(s =>
        {
            var stating = Enumerable.Range(0, textRanks.Count).Where(i => states[i].Contains(s)).Select(i => textRanks[i]).ToList();
            var omitting = Enumerable.Range(0, textRanks.Count).Where(i => !states[i].Contains(s)).Select(i => textRanks[i]).ToList();
            return new StatementRecall(s, stating.Count, Recall(stating, ks), omitting.Count, Recall(omitting, ks));
        }).ToList();
    }

    /// <summary>Flat keys for a result file: "states_background/image_retrieval_recall@10",
    /// "omits_background/…", and the caption counts "states_background/captions".</summary>
    public static IReadOnlyDictionary<string, double> ToDictionary(IReadOnlyList<StatementRecall> rows)
    {
        var d = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var r in rows)
        {
            d[Data.CaptionStatements.Key(r.Statement, true, "captions")] = r.Stating;
            d[Data.CaptionStatements.Key(r.Statement, false, "captions")] = r.Omitting;
            foreach (var (k, v) in r.StatingRecall) d[Data.CaptionStatements.Key(r.Statement, true, $"image_retrieval_recall@{k}")] = v;
            foreach (var (k, v) in r.OmittingRecall) d[Data.CaptionStatements.Key(r.Statement, false, $"image_retrieval_recall@{k}")] = v;
        }
        return d;
    }

    private static IReadOnlyDictionary<int, double> Recall(IReadOnlyList<int> ranks, IReadOnlyList<int> ks) =>
        ranks.Count == 0 ? new Dictionary<int, double>() : ks.ToDictionary(k => k, k => ranks.Count(r => r < k) / (double)ranks.Count);
}
