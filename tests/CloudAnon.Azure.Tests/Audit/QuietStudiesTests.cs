using System.Text.Json;
using Azure.Storage.Queues;
using CloudAnon.Azure.Audit;
using CloudAnon.Core.Audit;
using CloudAnon.Core;
using CloudAnon.TestSupport;
using Microsoft.Extensions.Time.Testing;

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

    [Fact]
    public async Task ABurstUnderAStampIntervalStampsOnceAndIsNeverQuietBeforeTheIntervalAndTheQuietTimeHavePassed()
    {
        // A start on a whole second, so that the times read back from the table compare equal whatever precision it keeps.
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        var (interval, gap) = (TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(2.5));
        var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var (scanned, table, blobs) = await AuditTableTests.OpenAsync(key, time);
        var writer = new AuditTable(table, blobs, key, time, interval);
        var queue = new QueueClient((await AzuriteFixture.EnsureStartedAsync()).ConnectionString, "studycomplete" + Guid.NewGuid().ToString("N")[..8]);
        await queue.CreateAsync();
        var scan = new QuietStudies(scanned, queue, Quiet, time);
        string study = AuditTableTests.NewUid(), series = AuditTableTests.NewUid();
        var stamped = time.GetUtcNow();

        // 20 instances, one every 2.5 s: each gap is longer than the quiet time, and all fall within the one stamp's
        // interval, so the index row is written once, and says when the study may be quiet.
        var sops = new List<string>();
        for (int i = 0; i < 20; i++)
        {
            sops.Add(AuditTableTests.NewUid());
            await writer.WriteAsync(AuditTableTests.Deidentified(study, series, sops[^1], 2), null);
            time.Advance(gap);
            Assert.Empty(await scan.EmitAsync());
        }

        Assert.Equal(20 + 1, writer.TableRequests); // 20 records, one stamp
        var change = Assert.Single(await scanned.ListStudiesChangedSinceAsync(time.GetUtcNow()));
        Assert.Equal((stamped, stamped + interval), (change.LastChanged, change.UnstampedUntil));

        time.Advance(stamped + interval + Quiet - time.GetUtcNow() - TimeSpan.FromMilliseconds(1));
        Assert.Empty(await scan.EmitAsync()); // the last record is longer ago than the quiet time, the stamp's interval is not
        time.Advance(TimeSpan.FromMilliseconds(1));
        var first = Assert.Single(await scan.EmitAsync());
        Assert.Equal((20, 20, StudySummary.HashOf(sops)), (first.Instances, first.Records, first.SopInstanceUidsSha256));

        // A late instance, after the interval: stamped again, the study re-opens and is sent again once quiet.
        var late = AuditTableTests.NewUid();
        await writer.WriteAsync(AuditTableTests.Deidentified(study, series, late, 2), null);
        Assert.Equal(20 + 1 + 2, writer.TableRequests);
        Assert.Empty(await scan.EmitAsync());
        time.Advance(interval + Quiet);
        var second = Assert.Single(await scan.EmitAsync());
        Assert.Equal((21, StudySummary.HashOf([.. sops, late])), (second.Instances, second.SopInstanceUidsSha256));
        Assert.Equal(2, (await queue.ReceiveMessagesAsync(10)).Value.Length);
    }
}
