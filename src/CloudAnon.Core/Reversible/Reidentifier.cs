using CloudAnon.Dicom;

namespace CloudAnon.Core.Reversible;

/// <summary>
/// Restores the original attributes of a reversibly de-identified file (CloudAnon's or gdcmanon's) from its Encrypted
/// Attributes Sequence (0400,0500), as <c>gdcmanon -d</c> does.
/// </summary>
public sealed class Reidentifier
{
    private readonly Func<DicomDataset, CancellationToken, Task<DicomDataset>> _openOriginals;

    /// <summary>Opens the envelope's recipient that the key source's certificate names.</summary>
    public Reidentifier(IDecryptionKeySource keySource)
    {
        ArgumentNullException.ThrowIfNull(keySource);
        _openOriginals = async (dataset, cancellationToken) =>
        {
            var certificate = await keySource.GetDecryptionCertificateAsync(cancellationToken).ConfigureAwait(false);
            return await EncryptedAttributes.OpenAsync(dataset, certificate, cancellationToken).ConfigureAwait(false);
        };
    }

    /// <summary>Opens the envelope's recipient that the private key unwraps (no certificate needed).</summary>
    public Reidentifier(IPrivateKeySource keySource)
    {
        ArgumentNullException.ThrowIfNull(keySource);
        _openOriginals = async (dataset, cancellationToken) =>
        {
            using var key = await keySource.GetPrivateKeyAsync(cancellationToken).ConfigureAwait(false);
            return await EncryptedAttributes.OpenAsync(dataset, key, cancellationToken).ConfigureAwait(false);
        };
    }

    /// <summary>
    /// What de-identification adds: the encrypted attributes and the de-identification marks Patient Identity Removed,
    /// De-identification Method and its Code Sequence, and Longitudinal Temporal Information Modified.
    /// </summary>
    private static readonly DicomTag[] AddedByDeidentification =
    [
        EncryptedAttributes.SequenceTag,
        DicomTags.PatientIdentityRemoved,
        DicomTags.DeidentificationMethod,
        DicomTags.DeidentificationMethodCodeSequence,
        DicomTags.LongitudinalTemporalInformationModified,
    ];

    /// <summary>
    /// Puts every decrypted original attribute back into <paramref name="file"/> (replacing or re-inserting it), removes
    /// what de-identification added unless it is among the originals, and points the File Meta Information at the
    /// restored SOP instance.
    /// </summary>
    /// <exception cref="ReidentificationException">No or unreadable encrypted attributes, a wrong key, or no original SOP Instance UID.</exception>
    public async Task ReidentifyAsync(DicomFile file, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        var originals = await _openOriginals(file.Dataset, cancellationToken).ConfigureAwait(false);
        string? sopInstanceUid = originals.GetAsciiString(DicomTag.SopInstanceUid);
        if (string.IsNullOrEmpty(sopInstanceUid)) throw new ReidentificationException(ReidentificationFailure.MissingSopInstanceUid);

        var dataset = file.Dataset;
        foreach (var tag in AddedByDeidentification) dataset.Remove(tag);
        foreach (var original in originals.Elements) dataset.Set(original);

        // A bare data set (no File Meta Information) stays without one.
        if (file.FileMetaInformation.Count == 0) return;
        file.FileMetaInformation.Set(DicomValueElement.FromString(DicomTag.MediaStorageSopInstanceUid, DicomVR.UI, sopInstanceUid));
        if (dataset.GetAsciiString(DicomTag.SopClassUid) is { Length: > 0 } sopClassUid)
        {
            file.FileMetaInformation.Set(DicomValueElement.FromString(DicomTag.MediaStorageSopClassUid, DicomVR.UI, sopClassUid));
        }
    }
}
