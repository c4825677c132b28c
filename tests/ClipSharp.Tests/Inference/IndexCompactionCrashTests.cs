using ClipSharp.Inference;
using ClipSharp.Tests.Support;

namespace ClipSharp.Tests.Inference;

/// <summary>
/// A crash inside <see cref="EmbeddingIndex.Remove"/>'s compaction (two renames) never leaves paths attached to the
/// wrong vectors: the state on disk is replayed step by step and reopened.
/// </summary>
public class IndexCompactionCrashTests
{
    private const int Dim = 4;

    [Fact]
    public void ACrashBetweenTheTwoRenamesIsFinishedOnOpen()
    {
        var dir = Seeded(out var rows);
        int[] keep = [0, 2, 4];
        StageCompaction(dir, keep);
        File.Move(Path.Combine(dir, "vectors.f32.tmp"), Path.Combine(dir, "vectors.f32"), overwrite: true);   // crash here
        using var index = EmbeddingIndex.Open(dir);
        Assert.Equal(keep.Select(PathOf), index.Entries.Select(e => e.Path));
        for (int r = 0; r < keep.Length; r++) Assert.Equal(rows[keep[r]], index.Vector(r));
        Assert.False(File.Exists(Path.Combine(dir, "entries.tsv.tmp")));
    }

    [Fact]
    public void ACrashBeforeTheFirstRenameKeepsTheOldIndex()
    {
        var dir = Seeded(out var rows);
        StageCompaction(dir, [1, 3]);   // crash here: both temporaries written, nothing renamed
        using var index = EmbeddingIndex.Open(dir);
        Assert.Equal(Enumerable.Range(0, rows.Length).Select(PathOf), index.Entries.Select(e => e.Path));
        for (int r = 0; r < rows.Length; r++) Assert.Equal(rows[r], index.Vector(r));
        Assert.False(File.Exists(Path.Combine(dir, "vectors.f32.tmp")));
        Assert.False(File.Exists(Path.Combine(dir, "entries.tsv.tmp")));
    }

    private static string PathOf(int i) => $"/data/img{i}.png";

    private static string Seeded(out float[][] rows)
    {
        var dir = Path.Combine(TestPaths.NewTempDir("idxcrash"), "index");
        rows = Enumerable.Range(0, 5).Select(i => Enumerable.Range(0, Dim).Select(k => (float)(10 * i + k)).ToArray()).ToArray();
        using var index = EmbeddingIndex.OpenOrCreate(dir, Dim, new AnnOptions { Mode = AnnMode.Off });
        index.Add(Enumerable.Range(0, rows.Length).Select(i => new IndexEntry(PathOf(i), 100 + i, 1000 + i)).ToList(), rows);
        return dir;
    }

    /// <summary>What Remove writes before its renames: both complete temporaries.</summary>
    private static void StageCompaction(string dir, IReadOnlyList<int> keep)
    {
        var vectors = Path.Combine(dir, "vectors.f32");
        IndexFiles.WriteCompacted(vectors, keep, Dim, 1);
        File.WriteAllText(Path.Combine(dir, "entries.tsv.tmp"),
            string.Concat(keep.Select(i => IndexFiles.Line(new IndexEntry(PathOf(i), 100 + i, 1000 + i)))));
    }
}
