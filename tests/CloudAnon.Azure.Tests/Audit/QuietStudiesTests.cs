using System.Text.Json;
using Azure.Storage.Queues;
using CloudAnon.Azure.Audit;
using CloudAnon.Core.Audit;
using CloudAnon.Core;
using CloudAnon.TestSupport;

namespace CloudAnon.Azure.Tests.Audit;

/// <summary>The quiet-study scan on Azurite: one message once a study is quiet, again only when a late record changed it.</summary>
public sealed class QuietStudiesTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task AQuietStudyIsSentOnceWithItsCountsAndALateInstanceReopensIt()
    {
        var (audit, _, _) = await AuditTableTests.OpenAsync();
        var queue = new QueueClient((await AzuriteFixture.EnsureStartedAsync()).ConnectionString, "studycomplete" + Guid.NewGuid().ToString("N")[..8]);
        await queue.CreateAsync();
        var scan = new QuietStudies(audit, queue, Quiet);
        string study = AuditTableTests.NewUid();
        string[] series = [AuditTableTests.NewUid(), AuditTableTests.NewUid()];
        var sops = Enumerable.Range(0, 5).Select(_ => AuditTableTests.NewUid()).ToList();
        for (int i = 0; i < sops.Count; i++) await audit.WriteAsync(AuditTableTests.Deidentified(study, series[i % 2], sops[i], 2), null);
        await audit.WriteAsync(AuditRecord.Refused(new DeidentificationOptions(), "Truncated", study), "q1");
        await audit.WriteAsync(AuditRecord.Refused(new DeidentificationOptions(), "BurnedInTextRemains", study), "q2");
        await audit.WriteAsync(AuditRecord.Refused(new DeidentificationOptions(), "BurnedInTextRemains", study), "q3");

        Assert.Empty(await scan.EmitAsync()); // not quiet yet
        await Task.Delay(Quiet + TimeSpan.FromMilliseconds(500));
        var first = Assert.Single(await scan.EmitAsync());
        Assert.Empty(await scan.EmitAsync()); // sent once

        var message = JsonDocument.Parse(Assert.Single((await queue.ReceiveMessagesAsync(10)).Value).Body.ToString()).RootElement;
        Assert.Equal(study, message.GetProperty("studyInstanceUid").GetString());
        Assert.Equal((2, 5, 8), (message.GetProperty("series").GetInt32(), message.GetProperty("instances").GetInt32(), message.GetProperty("records").GetInt32()));
        Assert.Equal(1, message.GetProperty("quarantined").GetProperty("Truncated").GetInt32());
        Assert.Equal(2, message.GetProperty("quarantined").GetProperty("BurnedInTextRemains").GetInt32());
        Assert.Equal(StudySummary.HashOf(sops), message.GetProperty("sopInstanceUidsSha256").GetString());
        Assert.Equal(first.SopInstanceUidsSha256, message.GetProperty("sopInstanceUidsSha256").GetString());

        // A retried delivery rewrites a record: the study changed nothing, so no second message.
        await audit.WriteAsync(AuditTableTests.Deidentified(study, series[0], sops[0], 2), null);
        await Task.Delay(Quiet + TimeSpan.FromMilliseconds(500));
        Assert.Empty(await scan.EmitAsync());

        // A late instance re-opens the study; it is sent again once quiet.
        var late = AuditTableTests.NewUid();
        await audit.WriteAsync(AuditTableTests.Deidentified(study, series[1], late, 2), null);
        Assert.Empty(await scan.EmitAsync());
        await Task.Delay(Quiet + TimeSpan.FromMilliseconds(500));
        var second = Assert.Single(await scan.EmitAsync());
        Assert.Equal((6, 9), (second.Instances, second.Records));
        Assert.Equal(StudySummary.HashOf([.. sops, late]), second.SopInstanceUidsSha256);
    }
}
