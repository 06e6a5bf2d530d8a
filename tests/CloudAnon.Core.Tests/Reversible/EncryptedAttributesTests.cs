using System.Security.Cryptography;
using CloudAnon.Core.Crypto;
using CloudAnon.Core.Reversible;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;

namespace CloudAnon.Core.Tests.Reversible;

public sealed class EncryptedAttributesTests(RecipientKeyFixture keys) : IClassFixture<RecipientKeyFixture>
{
    private static readonly DicomTag PatientName = new(0x0010, 0x0010);
    private static readonly DicomTag ReferencedImageSequence = new(0x0008, 0x1140);
    private static readonly DicomTag ReferencedSopInstanceUid = new(0x0008, 0x1155);
    private static readonly DicomTag PrivateBlob = new(0x0009, 0x1010);
    private static readonly DicomTag BigEndianWords = new(0x0009, 0x1020);

    [Fact]
    public async Task Round_trip_keeps_values_nested_sequences_and_bulk_values()
    {
        byte[] blob = RandomNumberGenerator.GetBytes(100_000);
        byte[] bigEndianWords = [0x12, 0x34, 0xAB, 0xCD];
        var source = new MemoryStream([.. new byte[10], .. blob, .. bigEndianWords]);
        List<DicomElement> originals =
        [
            new DicomValueElement(PrivateBlob, DicomVR.OB, new BulkDataReference(source, 10, blob.Length, bigEndian: false)),
            new DicomValueElement(BigEndianWords, DicomVR.OW, new BulkDataReference(source, 10 + blob.Length, 4, bigEndian: true)),
            DicomValueElement.FromString(PatientName, DicomVR.PN, "Doe^Jane"),
            ReferencedImages("1.2.3.4", "1.2.3.5"),
            DicomValueElement.FromString(DicomTag.SopInstanceUid, DicomVR.UI, "1.2.3.6"),
        ];

        var sequence = await EncryptedAttributes.BuildAsync(originals, keys.Certificate, ContentCipher.Aes256Cbc);
        var opened = await EncryptedAttributes.OpenAsync(Holding(sequence), keys.Certificate);

        Assert.Equal([DicomTag.SopInstanceUid, ReferencedImageSequence, PrivateBlob, BigEndianWords, PatientName], opened.Elements.Select(e => e.Tag));
        Assert.Equal("1.2.3.6", opened.GetAsciiString(DicomTag.SopInstanceUid));
        Assert.Equal("Doe^Jane", opened.GetAsciiString(PatientName));
        var blobElement = Assert.IsType<DicomValueElement>(opened.Find(PrivateBlob));
        Assert.Null(blobElement.Bulk);
        Assert.Equal(blob, blobElement.Bytes.ToArray());
        Assert.Equal([0x34, 0x12, 0xCD, 0xAB], Assert.IsType<DicomValueElement>(opened.Find(BigEndianWords)).Bytes.ToArray());
        var references = Assert.IsType<DicomSequence>(opened.Find(ReferencedImageSequence));
        Assert.True(references.UndefinedLength);
        Assert.Equal(["1.2.3.4", "1.2.3.5"], references.Items.Select(item => item.GetAsciiString(ReferencedSopInstanceUid)));
        var nested = Assert.IsType<DicomSequence>(references.Items[1].Find(ReferencedImageSequence));
        Assert.True(nested.UndefinedLength);
        Assert.Equal("1.2.3.5.1", nested.Items[0].GetAsciiString(ReferencedSopInstanceUid));
    }

    [Fact]
    public async Task Writes_gdcmanons_item_and_plaintext_layout()
    {
        var sequence = await EncryptedAttributes.BuildAsync(
            [DicomValueElement.FromString(DicomTag.SopInstanceUid, DicomVR.UI, "1.2.3"), ReferencedImages("1.2.3.4")], keys.Certificate, ContentCipher.Aes128Cbc);

        Assert.Equal(EncryptedAttributes.SequenceTag, sequence.Tag);
        var item = Assert.Single(sequence.Items);
        Assert.Equal([EncryptedAttributes.ContentTransferSyntaxUidTag, EncryptedAttributes.ContentTag], item.Elements.Select(e => e.Tag));
        Assert.Equal("1.2.840.10008.1.2.1", item.GetAsciiString(EncryptedAttributes.ContentTransferSyntaxUidTag));
        var content = Assert.IsType<DicomValueElement>(item.Find(EncryptedAttributes.ContentTag));
        Assert.Equal(DicomVR.OB, content.VR);
        Assert.Equal(0, content.Bytes.Length % 2);

        byte[] plaintext = EncryptedContent.Decrypt(content.Bytes.Span, keys.Certificate);
        byte[] sequenceAndItemHeaders = [0x00, 0x04, 0x50, 0x05, (byte)'S', (byte)'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF];
        byte[] itemAndSequenceDelimiters = [0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0, 0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0];
        Assert.Equal(sequenceAndItemHeaders, plaintext[..sequenceAndItemHeaders.Length]);
        Assert.Equal(itemAndSequenceDelimiters, plaintext[^itemAndSequenceDelimiters.Length..]);
        byte[] nestedSequenceHeader = [0x08, 0x00, 0x40, 0x11, (byte)'S', (byte)'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF];
        Assert.True(plaintext.AsSpan().IndexOf(nestedSequenceHeader) > 0, "nested sequences and items are written with undefined length");
    }

    [Fact]
    public async Task Another_key_fails_with_DecryptionFailed()
    {
        var sequence = await EncryptedAttributes.BuildAsync([Uid()], keys.Certificate, ContentCipher.Aes256Cbc);
        using var other = TestCertificates.CreateRsa("someone else");

        var failure = await Assert.ThrowsAsync<ReidentificationException>(() => EncryptedAttributes.OpenAsync(Holding(sequence), other));
        Assert.Equal(ReidentificationFailure.DecryptionFailed, failure.Reason);
    }

    [Fact]
    public async Task Tampered_ciphertext_is_refused()
    {
        var sequence = await EncryptedAttributes.BuildAsync([Uid()], keys.Certificate, ContentCipher.Aes256Cbc);
        var item = sequence.Items[0];
        byte[] envelope = ((DicomValueElement)item.Find(EncryptedAttributes.ContentTag)!).Bytes.ToArray();
        // The last DER byte is the last ciphertext byte: the final block's padding check fails, or, rarely, it passes
        // and the shortened plaintext no longer parses. CBC without a MAC cannot tell the two apart (docs/encryption.md).
        int lastDerByte = envelope[^1] == 0 && envelope.Length % 2 == 0 ? envelope.Length - 2 : envelope.Length - 1;
        envelope[lastDerByte] ^= 0x5A;
        item.Set(new DicomValueElement(EncryptedAttributes.ContentTag, DicomVR.OB, envelope));

        var failure = await Assert.ThrowsAsync<ReidentificationException>(() => EncryptedAttributes.OpenAsync(Holding(sequence), keys.Certificate));
        Assert.Contains(failure.Reason, new[] { ReidentificationFailure.DecryptionFailed, ReidentificationFailure.Malformed });
    }

    [Fact]
    public async Task Ciphertext_that_is_not_CMS_is_Malformed()
    {
        var sequence = await EncryptedAttributes.BuildAsync([Uid()], keys.Certificate, ContentCipher.Aes256Cbc);
        sequence.Items[0].Set(new DicomValueElement(EncryptedAttributes.ContentTag, DicomVR.OB, "not CMS!"u8.ToArray()));

        var failure = await Assert.ThrowsAsync<ReidentificationException>(() => EncryptedAttributes.OpenAsync(Holding(sequence), keys.Certificate));
        Assert.Equal(ReidentificationFailure.Malformed, failure.Reason);
    }

    [Fact]
    public async Task Missing_or_empty_sequence_is_NoEncryptedAttributes()
    {
        var withoutSequence = new DicomDataset();
        withoutSequence.Set(Uid());
        var withEmptySequence = Holding(new DicomSequence(EncryptedAttributes.SequenceTag, []));

        foreach (var dataset in new[] { withoutSequence, withEmptySequence })
        {
            var failure = await Assert.ThrowsAsync<ReidentificationException>(() => EncryptedAttributes.OpenAsync(dataset, keys.Certificate));
            Assert.Equal(ReidentificationFailure.NoEncryptedAttributes, failure.Reason);
        }
    }

    [Fact]
    public async Task Other_content_transfer_syntax_is_UnsupportedTransferSyntax()
    {
        var sequence = await EncryptedAttributes.BuildAsync([Uid()], keys.Certificate, ContentCipher.Aes256Cbc);
        sequence.Items[0].Set(DicomValueElement.FromString(EncryptedAttributes.ContentTransferSyntaxUidTag, DicomVR.UI, TransferSyntax.ImplicitVRLittleEndian.Uid));

        var failure = await Assert.ThrowsAsync<ReidentificationException>(() => EncryptedAttributes.OpenAsync(Holding(sequence), keys.Certificate));
        Assert.Equal(ReidentificationFailure.UnsupportedTransferSyntax, failure.Reason);
    }

    [Fact]
    public async Task Only_the_first_item_is_read()
    {
        var first = await EncryptedAttributes.BuildAsync([Uid("1.2.3.1")], keys.Certificate, ContentCipher.Aes256Cbc);
        var second = await EncryptedAttributes.BuildAsync([Uid("1.2.3.2")], keys.Certificate, ContentCipher.Aes256Cbc);
        first.Items.Add(second.Items[0]);

        var opened = await EncryptedAttributes.OpenAsync(Holding(first), keys.Certificate);
        Assert.Equal("1.2.3.1", opened.GetAsciiString(DicomTag.SopInstanceUid));
    }

    [Fact]
    public async Task Originals_above_the_cap_are_refused_before_anything_is_read()
    {
        var unreadable = new BulkDataReference(Stream.Null, 0, EncryptedAttributes.MaxPlaintextBytes, bigEndian: false);
        DicomElement[] originals = [new DicomValueElement(PrivateBlob, DicomVR.OB, unreadable)];

        var failure = await Assert.ThrowsAsync<DeidentificationException>(() => EncryptedAttributes.BuildAsync(originals, keys.Certificate, ContentCipher.Aes256Cbc));
        Assert.Equal(DeidentificationFailure.UnsupportedContent, failure.Failure);
    }

    [Fact]
    public async Task Failure_messages_carry_no_values()
    {
        var sequence = await EncryptedAttributes.BuildAsync([DicomValueElement.FromString(PatientName, DicomVR.PN, "Doe^Jane")], keys.Certificate, ContentCipher.Aes256Cbc);
        using var other = TestCertificates.CreateRsa("someone else");

        var failure = await Assert.ThrowsAsync<ReidentificationException>(() => EncryptedAttributes.OpenAsync(Holding(sequence), other));
        Assert.DoesNotContain("Doe", failure.ToString(), StringComparison.Ordinal);
    }

    internal static DicomDataset Holding(DicomElement element)
    {
        var dataset = new DicomDataset();
        dataset.Set(element);
        return dataset;
    }

    private static DicomValueElement Uid(string uid = "1.2.3") => DicomValueElement.FromString(DicomTag.SopInstanceUid, DicomVR.UI, uid);

    /// <summary>A defined-length sequence whose last item holds a nested defined-length sequence.</summary>
    private static DicomSequence ReferencedImages(params string[] uids) =>
        new(ReferencedImageSequence, uids.Select((uid, index) =>
        {
            var item = new DicomDataset();
            item.Set(DicomValueElement.FromString(ReferencedSopInstanceUid, DicomVR.UI, uid));
            if (index == uids.Length - 1 && index > 0)
            {
                var nestedItem = new DicomDataset();
                nestedItem.Set(DicomValueElement.FromString(ReferencedSopInstanceUid, DicomVR.UI, uid + ".1"));
                item.Set(new DicomSequence(ReferencedImageSequence, [nestedItem]));
            }
            return item;
        }));
}
