using System.Text.RegularExpressions;

namespace CloudAnon.Core.Engine;

/// <summary>
/// A URL or URI the IOD requires (Retrieve URL, Retrieve URI, Pixel Data Provider URL where its Type says so): the
/// same DICOM resource with every UID replaced and nothing else of the original — no scheme's host, port or user, no
/// path segment but the DICOMweb and WADO resource words, no query parameter but UIDs and the WADO request and content
/// types. Host names, archive names, patient IDs and access tokens do not survive.
/// </summary>
internal static partial class UrlRewriter
{
    /// <summary>The host of every rewritten URL: the reserved .invalid domain (RFC 2606), which resolves nowhere.</summary>
    internal const string Origin = "https://deidentified.invalid";

    private static readonly string[] ResourceWords = ["studies", "series", "instances", "frames", "metadata", "rendered", "thumbnail", "bulkdata", "wado"];
    private static readonly string[] ProtocolParameters = ["requestType", "contentType"];

    /// <summary>The UIDs in <paramref name="url"/>'s path segments and query values.</summary>
    public static IEnumerable<string> UidsIn(string url)
    {
        var (segments, parameters) = Split(url);
        return segments.Concat(parameters.Select(p => p.Value)).Where(IsUid);
    }

    /// <summary><paramref name="url"/> rebuilt on <see cref="Origin"/> from its UIDs (each through <paramref name="replace"/>) and resource words only.</summary>
    public static string Rewrite(string url, Func<string, string> replace)
    {
        var (segments, parameters) = Split(url);
        var path = segments
            .Where(segment => IsUid(segment) || ResourceWords.Contains(segment, StringComparer.OrdinalIgnoreCase))
            .Select(segment => IsUid(segment) ? replace(segment) : segment.ToLowerInvariant());
        var query = parameters
            .Where(p => IsUid(p.Value) || (ProtocolParameters.Contains(p.Name, StringComparer.OrdinalIgnoreCase) && ProtocolValue().IsMatch(p.Value)))
            .Select(p => p.Name + "=" + (IsUid(p.Value) ? replace(p.Value) : p.Value))
            .ToList();
        string rewritten = Origin + "/" + string.Join('/', path);
        return query.Count == 0 ? rewritten : rewritten + "?" + string.Join('&', query);
    }

    private static (string[] Segments, (string Name, string Value)[] Parameters) Split(string url)
    {
        int queryStart = url.IndexOf('?', StringComparison.Ordinal);
        string path = queryStart < 0 ? url : url[..queryStart];
        int authority = path.IndexOf("://", StringComparison.Ordinal);
        if (authority >= 0)
        {
            int pathStart = path.IndexOf('/', authority + 3);
            path = pathStart < 0 ? "" : path[pathStart..];
        }
        var parameters = queryStart < 0 ? [] : url[(queryStart + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(parameter => parameter.Split('=', 2))
            .Select(pair => (pair[0], pair.Length == 2 ? pair[1] : ""))
            .ToArray();
        return (path.Split('/', StringSplitOptions.RemoveEmptyEntries), parameters);
    }

    private static bool IsUid(string text) => text.Length <= 64 && Uid().IsMatch(text);

    [GeneratedRegex(@"^[0-2](\.(0|[1-9][0-9]*)){2,}$")]
    private static partial Regex Uid();

    // WADO request types and MIME types: words, never a name or a number with meaning.
    [GeneratedRegex(@"^[A-Za-z]+(/[A-Za-z0-9.+-]+)?$")]
    private static partial Regex ProtocolValue();
}
