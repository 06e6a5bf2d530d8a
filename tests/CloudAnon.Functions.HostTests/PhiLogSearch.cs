using CloudAnon.Functions.TestHost;
using CloudAnon.TestSupport;

namespace CloudAnon.Functions.HostTests;

/// <summary>The planted PHI markers (in blob names and in values) must not appear in any line the host ships.</summary>
internal static class PhiLogSearch
{
    /// <summary>Every line host.json lets through, host's and worker's: none may hold a marker, in any letter case.</summary>
    public static void AssertShippedLinesHoldNoMarker(HostLog log)
    {
        var leaks = log.Shipped.Where(line => $"{line.Category} {line.Message}".Contains(PlantedPhi.Prefix, StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(leaks.Count == 0, $"{leaks.Count} shipped log lines hold a planted marker:{Environment.NewLine}{string.Join(Environment.NewLine, leaks.Take(5))}");
    }
}
