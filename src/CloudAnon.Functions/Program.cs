using Azure.Core;
using Azure.Monitor.OpenTelemetry.Exporter;
using CloudAnon.Azure.Mapping;
using CloudAnon.Functions;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;

var builder = FunctionsApplication.CreateBuilder(args);
builder.Services.AddCloudAnon(builder.Configuration);

// host.json sets telemetryMode OpenTelemetry: the host and this worker both export, and UseFunctionsWorkerDefaults
// correlates the worker's spans and logs with the host's invocation.
var telemetry = builder.Services.AddOpenTelemetry()
    .UseFunctionsWorkerDefaults()
    .WithMetrics(metrics => metrics.AddMeter(IngressMetrics.MeterName, TableMappingStore.MeterName));
if (!string.IsNullOrEmpty(builder.Configuration[SettingNames.ApplicationInsightsConnectionString]))
{
    // The exporter reads APPLICATIONINSIGHTS_CONNECTION_STRING itself; the credential makes it authenticate with the
    // app's identity (infra sets APPLICATIONINSIGHTS_AUTHENTICATION_STRING and disables local auth on the workspace).
    telemetry.UseAzureMonitorExporter();
    builder.Services.AddOptions<AzureMonitorExporterOptions>()
        .Configure<TokenCredential>((options, credential) => options.Credential = credential);
}

builder.Build().Run();
