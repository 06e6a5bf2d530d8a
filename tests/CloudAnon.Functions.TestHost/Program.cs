using System.Diagnostics;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using CloudAnon.Functions.TestHost;

// The local demo (scripts/run-local.sh --function): the published app under the test host, on Azurite. Creates the
// containers and the table as infra does, posts a BlobCreated event for every blob already in ingress, waits until each
// has had a successful invocation, and writes every host and worker log line to the logs directory.
const string Usage = "usage: CloudAnon.Functions.TestHost --app DIR --settings local.settings.json --logs DIR [--timeout-seconds N]";
var options = new Dictionary<string, string>();
for (var i = 0; i + 1 < args.Length; i += 2)
{
    options[args[i]] = args[i + 1];
}

if (!options.TryGetValue("--app", out var app) || !options.TryGetValue("--settings", out var settingsFile) || !options.TryGetValue("--logs", out var logs))
{
    Console.Error.WriteLine(Usage);
    return 2;
}

var timeout = TimeSpan.FromSeconds(options.TryGetValue("--timeout-seconds", out var seconds) ? int.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture) : 300);
using var json = JsonDocument.Parse(await File.ReadAllTextAsync(settingsFile));
var settings = json.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => (string?)p.Value.GetString());

var blobs = new BlobServiceClient(settings["Storage"]);
foreach (var container in new[] { "IngressContainer", "EgressContainer", "QuarantineContainer" })
{
    await blobs.GetBlobContainerClient(settings[container]).CreateIfNotExistsAsync();
}

await new TableServiceClient(settings["Storage"]).CreateTableIfNotExistsAsync(settings["MappingTable"]);
// The audit stores, under their default names unless the settings name others.
string Setting(string name, string defaultValue) => settings.GetValueOrDefault(name) is { Length: > 0 } value ? value : defaultValue;
await blobs.GetBlobContainerClient(Setting("AuditContainer", "audit")).CreateIfNotExistsAsync();
await new TableServiceClient(settings["Storage"]).CreateTableIfNotExistsAsync(Setting("AuditTable", "audit"));
await new Azure.Storage.Queues.QueueClient(settings["Storage"], Setting("StudyCompleteQueue", "study-complete")).CreateIfNotExistsAsync();
var ingress = blobs.GetBlobContainerClient(settings["IngressContainer"]);

var host = await FunctionHost.StartAsync(new FunctionHostOptions { AppDirectory = app, Settings = settings });
var exitCode = 0;
try
{
    var names = new List<string>();
    await foreach (var blob in ingress.GetBlobsAsync())
    {
        names.Add(blob.Name);
    }

    var clock = Stopwatch.StartNew();
    foreach (var name in names)
    {
        await host.PostBlobCreatedAsync(ingress.GetBlobClient(name));
    }

    Console.WriteLine($"posted {names.Count} BlobCreated events to {FunctionHost.IngressFunction}");
    while (host.Worker.Finished.Count(i => i.Succeeded) < names.Count && clock.Elapsed < timeout)
    {
        await Task.Delay(200);
    }

    var finished = host.Worker.Finished;
    Console.WriteLine($"{finished.Count(i => i.Succeeded)} invocations succeeded, {finished.Count(i => !i.Succeeded)} failed (and were retried) in {clock.Elapsed.TotalSeconds:F1} s");
    exitCode = finished.Count(i => i.Succeeded) >= names.Count ? 0 : 1;
}
finally
{
    await host.DisposeAsync();
    host.Log.WriteTo(logs);
    Console.WriteLine($"host and worker log lines: {Path.Combine(logs, "host-shipped.log")} (after host.json's filters), {Path.Combine(logs, "host-everything.log")}");
}

return exitCode;
