using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CloudAnon.TestSupport;

/// <summary>
/// A STOW-RS request body (multipart/related; type="application/dicom") written byte by byte from files or raw parts,
/// and sent by curl, a client nobody here wrote. The answer is the HTTP status and the parsed application/dicom+json.
/// </summary>
public static class StowRequest
{
    public const string Boundary = "cloudanon-test-boundary-7f3a";
    public const string ContentType = $"multipart/related; type=\"application/dicom\"; boundary={Boundary}";

    public sealed record Answer(int Status, JsonDocument? Body)
    {
        /// <summary>(SOP Instance UID, Failure Reason) of each item of the Failed SOP Sequence (0008,1198).</summary>
        public IReadOnlyList<(string? SopInstance, int Reason)> Failed => Items("00081198").Select(i => (Uid(i, "00081155"), i.GetProperty("00081197").GetProperty("Value")[0].GetInt32())).ToList();

        /// <summary>SOP Instance UIDs of the Referenced SOP Sequence (0008,1199).</summary>
        public IReadOnlyList<string> Referenced => Items("00081199").Select(i => Uid(i, "00081155")!).ToList();

        private IEnumerable<JsonElement> Items(string tag) =>
            Body is not null && Body.RootElement.TryGetProperty(tag, out var sequence) ? sequence.GetProperty("Value").EnumerateArray() : [];

        private static string? Uid(JsonElement item, string tag) => item.TryGetProperty(tag, out var element) ? element.GetProperty("Value")[0].GetString() : null;
    }

    /// <summary>The multipart body of <paramref name="parts"/>, each an application/dicom part.</summary>
    public static byte[] Body(IEnumerable<byte[]> parts, string boundary = Boundary)
    {
        using var body = new MemoryStream();
        foreach (var part in parts)
        {
            body.Write(Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n"));
            body.Write(part);
            body.Write("\r\n"u8);
        }

        body.Write(Encoding.ASCII.GetBytes($"--{boundary}--\r\n"));
        return body.ToArray();
    }

    /// <summary>POSTs <paramref name="body"/> with curl to <paramref name="url"/>; extra curl arguments (TLS, headers) first.</summary>
    public static Answer Curl(Uri url, byte[] body, string contentType = ContentType, params string[] extra)
    {
        var directory = Directory.CreateTempSubdirectory("cloudanon-stow-");
        try
        {
            var bodyPath = Path.Combine(directory.FullName, "body");
            var answerPath = Path.Combine(directory.FullName, "answer.json");
            File.WriteAllBytes(bodyPath, body);
            var result = ExternalTool.Run("curl",
                [.. extra, "-sS", "-o", answerPath, "-w", "%{http_code}", "-H", $"Content-Type: {contentType}", "--data-binary", $"@{bodyPath}", url.AbsoluteUri],
                TimeSpan.FromMinutes(5));
            if (result.ExitCode != 0) throw new InvalidOperationException($"curl exited {result.ExitCode}: {result.StandardError}");
            var answer = File.Exists(answerPath) ? File.ReadAllBytes(answerPath) : [];
            return new Answer(int.Parse(result.StandardOutput, CultureInfo.InvariantCulture), answer.Length > 0 ? JsonDocument.Parse(answer) : null);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
