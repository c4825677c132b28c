using System.Net;
using System.Text;

namespace ClipSharp.Reporting;

/// <summary>A thumbnail with a caption under it (the image is embedded as a data URI so the report is one file plus PNG charts).</summary>
public sealed record Thumbnail(byte[] Bytes, string MimeType, string Caption, bool Highlight = false);

/// <summary>
/// A self-contained static HTML report: headings, paragraphs, tables, chart images (relative paths) and rows of
/// thumbnails. No scripts, no external assets, so it opens in any browser from the run folder.
/// </summary>
public sealed class HtmlReport(string title)
{
    private readonly StringBuilder _body = new();

    private static string E(string s) => WebUtility.HtmlEncode(s);

    /// <summary>A section heading.</summary>
    public HtmlReport Heading(string text, int level = 2) { _body.Append($"<h{level}>{E(text)}</h{level}>\n"); return this; }

    /// <summary>A paragraph of plain text.</summary>
    public HtmlReport Paragraph(string text) { _body.Append($"<p>{E(text)}</p>\n"); return this; }

    /// <summary>A table; cells are plain text.</summary>
    public HtmlReport Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        _body.Append("<table><thead><tr>");
        foreach (var h in headers) _body.Append($"<th>{E(h)}</th>");
        _body.Append("</tr></thead><tbody>\n");
        foreach (var row in rows)
        {
            _body.Append("<tr>");
            foreach (var c in row) _body.Append($"<td>{E(c)}</td>");
            _body.Append("</tr>\n");
        }
        _body.Append("</tbody></table>\n");
        return this;
    }

    /// <summary>Chart images side by side (paths relative to the report).</summary>
    public HtmlReport Images(IEnumerable<string> relativePaths)
    {
        _body.Append("<div class=\"charts\">");
        foreach (var p in relativePaths) _body.Append($"<img src=\"{E(p.Replace('\\', '/'))}\" alt=\"{E(Path.GetFileNameWithoutExtension(p))}\">");
        _body.Append("</div>\n");
        return this;
    }

    /// <summary>A labelled row of thumbnails.</summary>
    public HtmlReport Thumbnails(string label, IEnumerable<Thumbnail> thumbs)
    {
        _body.Append($"<div class=\"row\"><div class=\"label\">{E(label)}</div>");
        foreach (var t in thumbs)
            _body.Append($"<figure{(t.Highlight ? " class=\"hit\"" : "")}><img src=\"data:{t.MimeType};base64,{Convert.ToBase64String(t.Bytes)}\">" +
                         $"<figcaption>{E(t.Caption)}</figcaption></figure>");
        _body.Append("</div>\n");
        return this;
    }

    /// <summary>Writes the page (UTF-8) to <paramref name="path"/>.</summary>
    public void Save(string path)
    {
        const string css = "body{font-family:system-ui,sans-serif;margin:2em;max-width:1400px;color:#222}" +
            "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}" +
            "td:first-child,th:first-child{text-align:left}.charts img{width:480px;margin:4px;border:1px solid #eee}" +
            ".row{display:flex;align-items:flex-start;gap:8px;margin:8px 0}.label{width:260px;font-size:13px}" +
            "figure{margin:0;width:110px;font-size:11px}figure img{width:96px;height:96px;image-rendering:pixelated;border:3px solid #fff}" +
            "figure.hit img{border-color:#2a2}";
        var html = $"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{E(title)}</title><style>{css}</style></head>\n" +
                   $"<body><h1>{E(title)}</h1>\n{_body}</body></html>\n";
        File.WriteAllText(path, html, new UTF8Encoding(false));
    }
}
