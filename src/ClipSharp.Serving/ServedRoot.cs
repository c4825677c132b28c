using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Http;

namespace ClipSharp.Serving;

/// <summary>
/// The served folder and the one check every file access goes through: a path is normalised (".." and "." folded),
/// must lie under the root lexically, and its real location (every symlink followed, by the C library's
/// <c>realpath</c>) must lie under the root's real location too. Nothing outside is read, and paths go out relative.
/// </summary>
public sealed partial class ServedRoot
{
    /// <summary>The root as given, normalised (the form indexed paths are compared with).</summary>
    public string Path { get; }

    /// <summary>The root with every symlink resolved.</summary>
    public string RealPath { get; }

    /// <summary>The root folder <paramref name="folder"/>, which must exist.</summary>
    public ServedRoot(string folder)
    {
        Path = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(folder));
        if (!Directory.Exists(Path)) throw new Core.ClipSharpException($"--root {folder}: folder not found.");
        RealPath = Real(Path) ?? Path;
    }

    /// <summary>True when the normalised <paramref name="fullPath"/> lies under the root (lexically).</summary>
    public bool Contains(string fullPath) => Under(System.IO.Path.GetFullPath(fullPath), Path);

    /// <summary>The path relative to the root, with '/' separators (what answers show).</summary>
    public string Relative(string fullPath) => System.IO.Path.GetRelativePath(Path, fullPath).Replace(System.IO.Path.DirectorySeparatorChar, '/');

    /// <summary>
    /// A client-given path (relative to the root, or absolute) → its normalised full path, after checking that it and
    /// its real location (symlinks followed) lie under the root and that it is an existing file; otherwise a 4xx.
    /// </summary>
    public string ResolveClientPath(string? given)
    {
        if (string.IsNullOrWhiteSpace(given)) throw ApiException.BadRequest("missing_field", "Give \"path\": an image file under the served root.");
        if (given.IndexOfAny(['\0', '\t', '\n', '\r']) >= 0)
            throw ApiException.BadRequest("bad_path", "The path contains a NUL, tab or line break, which an index cannot hold.");
        var full = System.IO.Path.GetFullPath(System.IO.Path.IsPathRooted(given) ? given : System.IO.Path.Combine(Path, given));
        if (!Under(full, Path)) throw Outside(given);
        return RequireRealInside(full, given);
    }

    /// <summary>
    /// Checks that the existing file <paramref name="fullPath"/> (already under the root lexically) really lies under
    /// it once symlinks are followed; returns <paramref name="fullPath"/>, or throws a 403 / 404.
    /// </summary>
    public string RequireRealInside(string fullPath, string shownAs)
    {
        var real = Real(fullPath);
        if (real is null || !File.Exists(real))
            throw new ApiException(StatusCodes.Status404NotFound, "file_not_found", $"{shownAs}: no such file under the served root.");
        if (!Under(real, RealPath)) throw Outside(shownAs);
        return fullPath;
    }

    private static ApiException Outside(string given) =>
        new(StatusCodes.Status403Forbidden, "outside_root", $"{given}: the path leads outside the served root; only files under it are served.");

    private static bool Under(string full, string root) =>
        full.StartsWith(root + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal) || root == "/" && full.StartsWith('/');

    // realpath(3): the canonical absolute path with every symlink resolved; null when it does not exist.
    private static string? Real(string path)
    {
        var p = RealPathNative(path, IntPtr.Zero);
        if (p == IntPtr.Zero) return null;
        try { return Marshal.PtrToStringUTF8(p); }
        finally { Free(p); }
    }

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr RealPathNative(string path, IntPtr resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(IntPtr p);
}
