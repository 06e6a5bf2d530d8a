namespace CloudAnon.Cli;

/// <summary>Secrets (a key password, the mapping key) come from files or the environment, never from the command line.</summary>
internal static class SecretFile
{
    /// <summary>The file's text, trimmed; the message names the option and path, never the content.</summary>
    /// <exception cref="CloudSetupException">The file cannot be read.</exception>
    public static string Read(string path, string option)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CloudSetupException($"cannot read {option} '{path}': {(e is UnauthorizedAccessException ? "permission denied" : e.Message)}");
        }
    }
}
