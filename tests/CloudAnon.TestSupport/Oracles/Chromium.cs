namespace CloudAnon.TestSupport;

/// <summary>
/// Headless Chromium (Debian <c>chromium</c>, installed by scripts/install-test-tools.sh) as the judge of an HTML page:
/// the DOM after loading, and a screenshot. Each call uses a fresh profile folder and no network proxy, so nothing of
/// this machine's browser state takes part. A missing chromium fails the test (ExternalTool).
/// </summary>
public static class Chromium
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    /// <summary>The serialized DOM of the loaded page.</summary>
    public static string DumpDom(string htmlPath) => Run(htmlPath, "--dump-dom").StandardOutput;

    /// <summary>Writes a PNG screenshot of the page, <paramref name="width"/> × <paramref name="height"/> CSS pixels.</summary>
    public static void Screenshot(string htmlPath, string pngPath, int width, int height)
    {
        var run = Run(htmlPath, $"--screenshot={pngPath}", $"--window-size={width},{height}");
        if (!File.Exists(pngPath)) throw new InvalidOperationException($"chromium wrote no screenshot (exit {run.ExitCode}): {run.StandardError}");
    }

    private static ExternalTool.Result Run(string htmlPath, params string[] arguments)
    {
        string profile = Directory.CreateTempSubdirectory("cloudanon-chromium-").FullName;
        try
        {
            // --no-sandbox: test machines run as root, where Chromium's sandbox refuses to start.
            return ExternalTool.Run("chromium",
                ["--headless", "--no-sandbox", "--disable-gpu", "--no-proxy-server", $"--user-data-dir={profile}", .. arguments, new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri],
                Limit);
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }
}
