using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Core;

/// <summary>Turns tokenizer output (equal-length id rows) into an int64 (B, L) tensor.</summary>
public static class TokenRows
{
    /// <summary>rows: B arrays of length L → (B, L) int64 on <paramref name="device"/> (CPU if null).</summary>
    public static Tensor ToTensor(IReadOnlyList<long[]> rows, Device? device = null)
    {
        if (rows.Count == 0) throw new ClipSharpException("No token rows to batch.");
        int l = rows[0].Length;
        var flat = new long[rows.Count * l];
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != l) throw new ClipSharpException($"Token row {i} has {rows[i].Length} ids, expected {l} like row 0.");
            rows[i].CopyTo(flat, i * l);
        }
        return torch.tensor(flat, [rows.Count, l], device: device);
    }
}
