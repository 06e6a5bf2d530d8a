using System.Text;
using CloudAnon.Azure.Ingress;
using CloudAnon.Dicom;
using CloudAnon.Functions.TestHost;
using CloudAnon.TestSupport;

namespace CloudAnon.Functions.HostTests;

/// <summary>Event Grid BlobCreated → Microsoft's blob extension → the real worker over gRPC → egress or quarantine, on Azurite.</summary>
[Collection(DefaultHostCollection.Name)]
public sealed class TriggerPathTests(IngressHostFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private static readonly DicomTag PatientName = new(0x0010, 0x0010);

    private IngressHost App => fixture.App;

    [Fact]
    public async Task SubscriptionValidation_IsAnsweredByTheBlobExtension()
    {
        var code = Guid.NewGuid().ToString();

        Assert.Equal(code, await App.Host.Webhook.ValidateSubscriptionAsync(FunctionHost.IngressFunction, code));
    }

    [Fact]
    public async Task BlobCreated_LandsDeidentifiedAndEncryptedInEgress_AndMarksTheOriginal()
    {
        var original = (await TestFiles.DistinctInstancesAsync(TestFiles.HalfMegabyteCt, 1))[0];
        var blobName = $"site-a/{Guid.NewGuid():N}/scan.dcm";
        var egressBefore = await NamesAsync(App.Containers.Egress);

        await App.UploadAndNotifyAsync(blobName, original);
        await App.WaitUntilProcessedAsync([blobName], Timeout);

        var ingress = (await BlobListing.ListAsync(App.Containers.Ingress)).Single(b => b.Name == blobName);
        Assert.Equal(IngressMetadata.ProcessedEgress, ingress.Metadata[IngressMetadata.Processed]);
        var egress = Assert.Single(await BlobListing.ListAsync(App.Containers.Egress), b => !egressBefore.Contains(b.Name));
        Assert.Matches(@"^[0-9.]+/[0-9.]+/[0-9.]+\.dcm$", egress.Name);
        var bytes = (await App.Containers.Egress.GetBlobClient(egress.Name).DownloadContentAsync()).Value.Content.ToArray();
        using var deidentified = await DicomFile.OpenAsync(new MemoryStream(bytes));
        using var source = await DicomFile.OpenAsync(new MemoryStream(original));
        var originalName = source.Dataset.GetAsciiString(PatientName)!.Trim();
        Assert.NotEqual(originalName, deidentified.Dataset.GetAsciiString(PatientName)?.Trim());
        Assert.DoesNotContain(originalName, Encoding.Latin1.GetString(bytes), StringComparison.Ordinal);
        Assert.NotNull(deidentified.Dataset.Find(new DicomTag(0x0400, 0x0500))); // the originals, encrypted to the certificate
    }

    [Fact]
    public async Task BlobCreated_ForNonDicom_QuarantinesItWithItsReason()
    {
        var blobName = $"site-a/{Guid.NewGuid():N}/report.pdf";
        var egressBefore = await NamesAsync(App.Containers.Egress);
        var quarantineBefore = await NamesAsync(App.Containers.Quarantine);

        await App.UploadAndNotifyAsync(blobName, await TestFiles.ReadAsync(TestFiles.NotDicom));
        await App.WaitUntilProcessedAsync([blobName], Timeout);

        var ingress = (await BlobListing.ListAsync(App.Containers.Ingress)).Single(b => b.Name == blobName);
        Assert.Equal(IngressMetadata.ProcessedQuarantine, ingress.Metadata[IngressMetadata.Processed]);
        var quarantined = Assert.Single(await BlobListing.ListAsync(App.Containers.Quarantine), b => !quarantineBefore.Contains(b.Name));
        Assert.Equal(QuarantineReasons.NotDicom, quarantined.Metadata[IngressMetadata.Reason]);
        Assert.DoesNotContain("report", quarantined.Name, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(egressBefore, await NamesAsync(App.Containers.Egress));
    }

    [Fact]
    public async Task Logs_ShippedUnderHostJson_HoldNoPlantedPhi_ThoughTheExtensionLogsBlobNames()
    {
        // Blob names as a PACS might choose them: the patient's name in the path.
        var folder = $"{PlantedPhi.Prefix}-DOE^JANE-{Guid.NewGuid():N}";
        string[] names = [$"{folder}/{PlantedPhi.Prefix}-ct.dcm", $"{folder}/{PlantedPhi.Prefix}-notes.txt"];

        await App.UploadAndNotifyAsync(names[0], await TestFiles.PlantedPhiFileAsync());
        await App.UploadAndNotifyAsync(names[1], Encoding.UTF8.GetBytes($"{PlantedPhi.Prefix} DOE^JANE 19990203"));
        await App.WaitUntilProcessedAsync(names, Timeout);

        // Before host.json's filters: the blob extension names the blob at Information in the function's category.
        Assert.Contains(App.Host.Log.Everything, line => line.Category == "Function.DeidentifyIngressBlob"
            && line.Level == Microsoft.Extensions.Logging.LogLevel.Information
            && line.Message.Contains($"New blob detected(EventGrid): {App.Containers.Ingress.Name}/{names[0]}", StringComparison.Ordinal));
        PhiLogSearch.AssertShippedLinesHoldNoMarker(App.Host.Log);
        // The filters did not silence everything: the function's own lines (keyed blob names) still ship.
        Assert.Contains(App.Host.Log.Shipped, line => line.Message.StartsWith("Ingress blob ", StringComparison.Ordinal));
    }

    private static async Task<HashSet<string>> NamesAsync(global::Azure.Storage.Blobs.BlobContainerClient container) =>
        (await BlobListing.ListAsync(container)).Select(b => b.Name).ToHashSet();
}
