using CloudAnon.Core.Mapping;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;

namespace CloudAnon.Core.Tests.Engine;

/// <summary>The engine's Burned In Annotation policy: a refused file is refused before a single replacement is resolved.</summary>
public sealed class BurnedInPolicyTests
{
    [Fact]
    public async Task Burned_in_annotation_yes_is_refused_before_the_mapping_store_is_asked()
    {
        var store = new CountingStore();
        var deidentifier = new Deidentifier(new DeidentificationOptions { Irreversible = true, RefuseBurnedInAnnotation = true }, store, null);
        using var file = await OpenAsync(burnedIn: "YES");

        var refusal = await Assert.ThrowsAsync<DeidentificationException>(() => deidentifier.DeidentifyAsync(file));

        Assert.Equal(DeidentificationFailure.BurnedInAnnotation, refusal.Failure);
        Assert.Equal(0, store.Batches);
    }

    [Fact]
    public async Task A_modality_known_to_burn_text_in_is_refused_only_when_asked()
    {
        var store = new CountingStore();
        using var kept = await OpenAsync(burnedIn: null);
        await new Deidentifier(new DeidentificationOptions { Irreversible = true, RefuseBurnedInAnnotation = true }, store, null).DeidentifyAsync(kept);
        Assert.Equal(1, store.Batches);

        var refusing = new Deidentifier(new DeidentificationOptions { Irreversible = true, RefuseSuspectedBurnedInAnnotation = true }, store, null);
        using var refused = await OpenAsync(burnedIn: null);
        var refusal = await Assert.ThrowsAsync<DeidentificationException>(() => refusing.DeidentifyAsync(refused));
        Assert.Equal(DeidentificationFailure.SuspectedBurnedInAnnotation, refusal.Failure);
        Assert.Equal(1, store.Batches);
    }

    /// <summary>A secondary capture (a modality known to burn text in), with Burned In Annotation as given.</summary>
    private static async Task<DicomFile> OpenAsync(string? burnedIn)
    {
        byte[][] dataset =
        [
            RawDicom.Explicit(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.7"),
            RawDicom.Explicit(0x00080018, "UI", "1.2.826.0.1.3680043.10.999.7"),
            RawDicom.Explicit(0x00080060, "CS", "OT"),
            RawDicom.Explicit(0x0020000D, "UI", "1.2.826.0.1.3680043.10.999.5"),
            RawDicom.Explicit(0x0020000E, "UI", "1.2.826.0.1.3680043.10.999.6"),
            .. burnedIn is null ? Array.Empty<byte[]>() : [RawDicom.Explicit(0x00280301, "CS", burnedIn)],
        ];
        return await DicomFile.OpenAsync(new MemoryStream(RawDicom.File("1.2.840.10008.1.2.1", [], dataset)));
    }

    private sealed class CountingStore : IMappingStore
    {
        private readonly InMemoryMappingStore _store = new();

        public int Batches { get; private set; }

        public ValueTask<IReadOnlyList<string>> GetOrAddAsync(IReadOnlyList<MappingRequest> requests, CancellationToken cancellationToken = default)
        {
            Batches++;
            return _store.GetOrAddAsync(requests, cancellationToken);
        }
    }
}
