using CloudAnon.Core.Certificates;
using CloudAnon.Core.Crypto;
using CloudAnon.Core.Reversible;
using CloudAnon.Dicom;

namespace CloudAnon.Core.Tests.Reversible;

public sealed class ReidentifierTests(RecipientKeyFixture keys) : IClassFixture<RecipientKeyFixture>
{
    private static readonly DicomTag PatientName = new(0x0010, 0x0010);
    private static readonly DicomTag PatientBirthDate = new(0x0010, 0x0030);
    private static readonly DicomTag PatientIdentityRemoved = new(0x0012, 0x0062);
    private static readonly DicomTag DeidentificationMethod = new(0x0012, 0x0063);
    private static readonly DicomTag DeidentificationMethodCodeSequence = new(0x0012, 0x0064);
    private static readonly DicomTag LongitudinalTemporalInformationModified = new(0x0028, 0x0303);
    private const string CtImageStorage = "1.2.840.10008.5.1.4.1.1.2";

    [Fact]
    public async Task Restores_replaced_and_removed_attributes_drops_the_marks_and_updates_the_meta()
    {
        DicomElement[] originals =
        [
            Text(DicomTag.SopInstanceUid, DicomVR.UI, "1.2.3.4"),
            Text(PatientName, DicomVR.PN, "Doe^Jane"),
            Text(PatientBirthDate, DicomVR.DA, "19700101"),
        ];
        var file = DicomFile.Create(new DicomDataset(), new DicomDataset(), TransferSyntax.ExplicitVRLittleEndian);
        file.FileMetaInformation.Set(Text(DicomTag.MediaStorageSopInstanceUid, DicomVR.UI, "2.25.99"));
        var dataset = file.Dataset;
        dataset.Set(Text(DicomTag.SopClassUid, DicomVR.UI, CtImageStorage));
        dataset.Set(Text(DicomTag.SopInstanceUid, DicomVR.UI, "2.25.99"));
        dataset.Set(Text(PatientName, DicomVR.PN, "Anonymous"));
        dataset.Set(Text(PatientIdentityRemoved, DicomVR.CS, "YES"));
        dataset.Set(Text(DeidentificationMethod, DicomVR.LO, "Basic Application Confidentiality Profile"));
        dataset.Set(new DicomSequence(DeidentificationMethodCodeSequence, [new DicomDataset()]));
        dataset.Set(Text(LongitudinalTemporalInformationModified, DicomVR.CS, "REMOVED"));
        dataset.Set(await EncryptedAttributes.BuildAsync(originals, keys.Certificate, ContentCipher.Aes256Cbc));

        await new Reidentifier(keys.KeySource()).ReidentifyAsync(file);

        Assert.Equal([DicomTag.SopClassUid, DicomTag.SopInstanceUid, PatientName, PatientBirthDate], dataset.Elements.Select(e => e.Tag));
        Assert.Equal("1.2.3.4", dataset.GetAsciiString(DicomTag.SopInstanceUid));
        Assert.Equal("Doe^Jane", dataset.GetAsciiString(PatientName));
        Assert.Equal("19700101", dataset.GetAsciiString(PatientBirthDate));
        Assert.Equal("1.2.3.4", file.FileMetaInformation.GetAsciiString(DicomTag.MediaStorageSopInstanceUid));
        Assert.Equal(CtImageStorage, file.FileMetaInformation.GetAsciiString(DicomTag.MediaStorageSopClassUid));
    }

    [Fact]
    public async Task The_private_key_alone_re_identifies_and_a_wrong_key_leaves_the_file_alone()
    {
        DicomElement[] originals = [Text(DicomTag.SopInstanceUid, DicomVR.UI, "1.2.3.4"), Text(PatientName, DicomVR.PN, "Doe^Jane")];
        DicomFile Deidentified(DicomSequence encrypted)
        {
            var file = DicomFile.Create(new DicomDataset(), new DicomDataset(), TransferSyntax.ExplicitVRLittleEndian);
            file.Dataset.Set(Text(PatientName, DicomVR.PN, "Anonymous"));
            file.Dataset.Set(encrypted);
            return file;
        }
        var encrypted = await EncryptedAttributes.BuildAsync(originals, keys.Certificate, ContentCipher.Aes256Cbc);
        var file = Deidentified(encrypted);
        var wrong = Deidentified(encrypted);
        string otherKeyPath = Path.Combine(keys.Directory, "other-key.pem");
        using (var other = System.Security.Cryptography.RSA.Create(2048)) File.WriteAllText(otherKeyPath, other.ExportPkcs8PrivateKeyPem());

        await new Reidentifier(new PemPrivateKeySource(keys.KeyPath)).ReidentifyAsync(file);
        var failure = await Assert.ThrowsAsync<ReidentificationException>(() => new Reidentifier(new PemPrivateKeySource(otherKeyPath)).ReidentifyAsync(wrong));

        Assert.Equal("Doe^Jane", file.Dataset.GetAsciiString(PatientName));
        Assert.Equal(ReidentificationFailure.DecryptionFailed, failure.Reason);
        Assert.DoesNotContain("Doe", failure.ToString(), StringComparison.Ordinal);
        Assert.Equal("Anonymous", wrong.Dataset.GetAsciiString(PatientName));
        Assert.True(wrong.Dataset.Contains(EncryptedAttributes.SequenceTag));
    }

    [Fact]
    public async Task A_mark_that_was_an_original_attribute_is_restored_not_removed()
    {
        DicomElement[] originals = [Text(DicomTag.SopInstanceUid, DicomVR.UI, "1.2.3.4"), Text(LongitudinalTemporalInformationModified, DicomVR.CS, "MODIFIED")];
        var file = DicomFile.Create(new DicomDataset(), new DicomDataset(), TransferSyntax.ExplicitVRLittleEndian);
        file.Dataset.Set(Text(LongitudinalTemporalInformationModified, DicomVR.CS, "REMOVED"));
        file.Dataset.Set(await EncryptedAttributes.BuildAsync(originals, keys.Certificate, ContentCipher.Aes256Cbc));

        await new Reidentifier(keys.KeySource()).ReidentifyAsync(file);

        Assert.Equal("MODIFIED", file.Dataset.GetAsciiString(LongitudinalTemporalInformationModified));
        Assert.False(file.Dataset.Contains(EncryptedAttributes.SequenceTag));
        Assert.Equal(0, file.FileMetaInformation.Count); // a bare data set stays bare
    }

    [Fact]
    public async Task Originals_without_a_SOP_Instance_UID_are_refused_and_the_file_is_left_alone()
    {
        var file = DicomFile.Create(new DicomDataset(), new DicomDataset(), TransferSyntax.ExplicitVRLittleEndian);
        file.Dataset.Set(Text(PatientName, DicomVR.PN, "Anonymous"));
        file.Dataset.Set(await EncryptedAttributes.BuildAsync([Text(PatientName, DicomVR.PN, "Doe^Jane")], keys.Certificate, ContentCipher.Aes256Cbc));

        var failure = await Assert.ThrowsAsync<ReidentificationException>(() => new Reidentifier(keys.KeySource()).ReidentifyAsync(file));

        Assert.Equal(ReidentificationFailure.MissingSopInstanceUid, failure.Reason);
        Assert.Equal("Anonymous", file.Dataset.GetAsciiString(PatientName));
        Assert.True(file.Dataset.Contains(EncryptedAttributes.SequenceTag));
    }

    private static DicomValueElement Text(DicomTag tag, DicomVR vr, string value) => DicomValueElement.FromString(tag, vr, value);
}
