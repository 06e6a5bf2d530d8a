namespace CloudAnon.Core.Mapping;

/// <summary>
/// The mapping table's secret HMAC key as users write it (the MappingKey setting, the Key Vault secret, the CLI's
/// --mapping-key): base64 of at least <see cref="MinBytes"/> bytes. Every writer of one table must use the same key,
/// so it is only ever parsed, never generated here.
/// </summary>
public static class MappingKey
{
    /// <summary>As long as the HMAC-SHA256 output.</summary>
    public const int MinBytes = 32;

    /// <summary>The rule in words, for error messages (which never quote the key).</summary>
    public static readonly string Rule = $"base64 of at least {MinBytes} bytes (e.g. `openssl rand -base64 {MinBytes}`)";

    /// <summary>Decodes <paramref name="text"/> (surrounding white space ignored); false when it is not base64 or too short.</summary>
    public static bool TryParse(string? text, out byte[] key)
    {
        key = [];
        if (text is null)
        {
            return false;
        }

        var trimmed = text.Trim();
        var buffer = new byte[trimmed.Length];
        if (!Convert.TryFromBase64String(trimmed, buffer, out var length) || length < MinBytes)
        {
            return false;
        }

        key = buffer[..length];
        return true;
    }
}
