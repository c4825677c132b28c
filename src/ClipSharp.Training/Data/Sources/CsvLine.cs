using System.Text;

namespace ClipSharp.Data.Sources;

/// <summary>
/// Splits one CSV/TSV record (RFC 4180 quoting: a field that starts with '"' runs to the closing quote, '""' inside
/// it is a quote; other fields are taken literally) into its fields.
/// </summary>
public static class CsvLine
{
    /// <summary>The fields of <paramref name="record"/> separated by <paramref name="delimiter"/>.</summary>
    public static List<string> Split(string record, char delimiter)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        int i = 0;
        while (true)
        {
            sb.Clear();
            if (i < record.Length && record[i] == '"')
            {
                i++;
                while (i < record.Length)
                {
                    char c = record[i++];
                    if (c != '"') { sb.Append(c); continue; }
                    if (i < record.Length && record[i] == '"') { sb.Append('"'); i++; continue; }
                    break; // closing quote
                }
                // anything between the closing quote and the delimiter is kept literally
                while (i < record.Length && record[i] != delimiter) sb.Append(record[i++]);
            }
            else
            {
                while (i < record.Length && record[i] != delimiter) sb.Append(record[i++]);
            }
            fields.Add(sb.ToString());
            if (i >= record.Length) return fields;
            i++; // the delimiter
        }
    }
}
