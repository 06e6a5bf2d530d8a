using System.Globalization;
using System.Net;

namespace CloudAnon.Core;

/// <summary>
/// Numbers in settings, read the same way from a command-line option and from an app setting: invariant digits only (no
/// sign, spaces or separators). The caller's error names the setting, with the rule.
/// </summary>
public static class SettingValues
{
    public const string PortRule = "a port number from 1 to 65535";

    public static bool TryParseInteger(string? text, int minimum, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= minimum;

    public static bool TryParsePositiveInteger(string? text, out int value) => TryParseInteger(text, 1, out value);

    public static bool TryParsePort(string? text, out int port) => TryParsePositiveInteger(text, out port) && port <= IPEndPoint.MaxPort;
}
