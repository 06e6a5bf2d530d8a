using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using CloudAnon.Azure.Audit;
using CloudAnon.Azure.Tests.Ingress;
using CloudAnon.Functions.Testing;
using CloudAnon.TestSupport;

namespace CloudAnon.Functions.HostTests;

/// <summary>
/// A study through the trigger path on Azurite: one audit record per file and outcome, one study-complete message from
/// the timer once the study is quiet, a second when a late instance re-opens it; nothing identifying in any row or message.
/// </summary>
public sealed class AuditTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(240);

    [Fact]
    public async Task AStudyOf53FilesGives53RecordsAndOneMessageOnceQuietAndALateInstanceReopensIt()
    {
        var settings = await IngressHost.DefaultSettingsAsync();
        settings[SettingNames.StudyQuietSeconds] = "15"; // longer than any pause between files on a loaded machine
        settings[SettingNames.StudyStampSeconds] = "3"; // a study's 53 records stamp it about once per 3 s, not 53 times
        settings[SettingNames.StudyScanSchedule] = "* * * * * *"; // every second
        await using var app = await IngressHost.StartAsync(settings, quietStudyTimer: true);
        string study = SyntheticCt.NewUid(), series = SyntheticCt.NewUid();
        var markers = new List<string>();
        var originalUids = new List<string> { study, series };
        var names = new List<string>();
        var files = new List<byte[]>();
        byte[] Instance(string burnedIn = "NO", bool withSop = true)
        {
            var (marker, sop) = (SyntheticCt.NewMarker(), SyntheticCt.NewUid());
            markers.Add(marker);
            originalUids.Add(sop);
            names.Add($"{marker}/{sop}.dcm");
            return SyntheticCt.CreateAsync(marker, study, series, withSop ? sop : "", burnedIn).GetAwaiter().GetResult();
        }

        for (int i = 0; i < 50; i++) files.Add(Instance());
        files.Add(Instance("YES"));
        files.Add(Instance("YES"));
        files.Add(Instance(withSop: false)); // refused by the engine after it read the study
        await app.UploadAllAsync(names, files);
        foreach (var name in names) await app.Host.PostBlobCreatedAsync(app.Containers.Ingress.GetBlobClient(name));
        await app.WaitUntilProcessedAsync(names, Timeout);

        var queue = AzuriteAppSettings.StudyCompleteQueue(settings);
        var first = await NextMessageAsync(queue, Timeout);
        var egress = (await BlobListing.ListAsync(app.Containers.Egress)).Select(b => b.Name).ToList();
        Assert.Equal(50, egress.Count);
        string deidentifiedStudy = egress[0][..egress[0].IndexOf('/')];
        var sops = egress.Select(name => Path.GetFileNameWithoutExtension(name[(name.LastIndexOf('/') + 1)..])).ToList();
        Assert.Equal(deidentifiedStudy, first.GetProperty("studyInstanceUid").GetString());
        Assert.Equal((1, 50, 53), (first.GetProperty("series").GetInt32(), first.GetProperty("instances").GetInt32(), first.GetProperty("records").GetInt32()));
        Assert.Equal(2, first.GetProperty("quarantined").GetProperty("BurnedInAnnotation").GetInt32());
        Assert.Equal(1, first.GetProperty("quarantined").GetProperty("MissingSopInstanceUid").GetInt32());
        Assert.Equal(StudySummary.HashOf(sops), first.GetProperty("sopInstanceUidsSha256").GetString());

        var audit = new AuditTable(
            new TableClient(settings[SettingNames.Storage], settings[SettingNames.AuditTable]),
            (await AzuriteFixture.EnsureStartedAsync()).CreateBlobServiceClient().GetBlobContainerClient(settings[SettingNames.AuditContainer]),
            Convert.FromBase64String(settings[SettingNames.MappingKey]!));
        var records = await audit.ReadStudyAsync(deidentifiedStudy);
        Assert.Equal(53, records.Count);
        Assert.Equal(sops.Order(), records.Where(r => r.SopInstanceUid is not null).Select(r => r.SopInstanceUid!).Order());
        var quarantined = (await BlobListing.ListAsync(app.Containers.Quarantine)).Select(b => b.Name).Order();
        Assert.Equal(quarantined, (await QuarantineRowKeysAsync(audit, settings, deidentifiedStudy)).Order());
        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.Null((await queue.ReceiveMessageAsync()).Value); // one message while nothing changes

        var late = Instance();
        await app.UploadAndNotifyAsync(names[^1], late);
        await app.WaitUntilProcessedAsync([names[^1]], Timeout);
        var second = await NextMessageAsync(queue, Timeout);
        Assert.Equal((51, 54), (second.GetProperty("instances").GetInt32(), second.GetProperty("records").GetInt32()));
        Assert.NotEqual(first.GetProperty("sopInstanceUidsSha256").GetString(), second.GetProperty("sopInstanceUidsSha256").GetString());

        // Every row (records, index), every record blob and both messages, against every planted value.
        var texts = new List<string> { first.GetRawText(), second.GetRawText() };
        await foreach (var row in new TableClient(settings[SettingNames.Storage], settings[SettingNames.AuditTable]).QueryAsync<TableEntity>())
        {
            texts.Add(row.PartitionKey + " " + row.RowKey + " " + string.Join(" ", row.Select(p => p.Value?.ToString())));
        }
        texts.AddRange(records.Select(r => Encoding.UTF8.GetString(r.ToJson())));
        string[] planted = [.. markers, .. markers.Select(m => m[..16]), .. originalUids, .. names, "20240131", "19600229", "REFERRER", "PATIENT"];
        foreach (var text in texts)
        {
            Assert.False(SyntheticCt.ContainsMarker(text), "a marker in an audit row or message");
            foreach (var value in planted) Assert.DoesNotContain(value, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    private static async Task<JsonElement> NextMessageAsync(global::Azure.Storage.Queues.QueueClient queue, TimeSpan timeout)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < timeout)
        {
            if ((await queue.ReceiveMessageAsync()).Value is { } message)
            {
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                return JsonDocument.Parse(message.Body.ToString()).RootElement.Clone();
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"No study-complete message within {timeout.TotalSeconds} s.");
    }

    private static async Task<List<string>> QuarantineRowKeysAsync(AuditTable audit, IReadOnlyDictionary<string, string?> settings, string study)
    {
        var keys = new List<string>();
        var table = new TableClient(settings[SettingNames.Storage], settings[SettingNames.AuditTable]);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {audit.PartitionOf(study)} and Outcome eq 'refused'")))
        {
            keys.Add(row.RowKey);
        }

        return keys;
    }
}
