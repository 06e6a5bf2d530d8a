using Azure.Core;
using Azure.Monitor.OpenTelemetry.Exporter;
using CloudAnon.Network;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace CloudAnon.Cli.Cloud;

/// <summary>
/// Exports the gateway's meter as the function exports its own: to Azure Monitor when APPLICATIONINSIGHTS_CONNECTION_STRING
/// is set, to an OpenTelemetry collector when OTEL_EXPORTER_OTLP_ENDPOINT is set (the exporter reads the other OTEL_*
/// variables: protocol, headers, interval), to both when both are. Disposing the provider sends what is left.
/// </summary>
internal static class GatewayTelemetry
{
    public const string ApplicationInsightsVariable = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The meter provider, or null when neither variable is set (the meter is then only for dotnet-counters).</summary>
    /// <param name="credential">The gateway's Entra ID identity (with --account), for a workspace that refuses instrumentation keys.</param>
    public static MeterProvider? Start(TokenCredential? credential)
    {
        bool azureMonitor = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(ApplicationInsightsVariable));
        bool otlp = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(OtlpEndpointVariable));
        if (!azureMonitor && !otlp) return null;

        var metrics = Sdk.CreateMeterProviderBuilder().AddMeter(GatewayMetrics.MeterName);
        if (azureMonitor)
        {
            // The exporter reads the connection string itself.
            metrics.AddAzureMonitorMetricExporter(options => options.Credential = credential);
        }

        if (otlp) metrics.AddOtlpExporter();
        return metrics.Build();
    }

    /// <summary>What the start line says about the export: no endpoint, key or header values.</summary>
    public static string Describe() =>
        (Environment.GetEnvironmentVariable(ApplicationInsightsVariable), Environment.GetEnvironmentVariable(OtlpEndpointVariable)) switch
        {
            ({ Length: > 0 }, { Length: > 0 }) => "metrics to Azure Monitor and OTLP",
            ({ Length: > 0 }, _) => "metrics to Azure Monitor",
            (_, { Length: > 0 }) => "metrics to OTLP",
            _ => "no metrics export",
        };
}
