using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CloudAnon.Core.Crypto;
using CloudAnon.Dicom;

namespace CloudAnon.Core.Reversible;

/// <summary>
/// The Encrypted Attributes Sequence (0400,0500) as gdcmanon writes and reads it (docs/reversible.md): one item with
/// (0400,0510) Explicit VR Little Endian and (0400,0520) a CMS EnvelopedData whose plaintext is the Modified Attributes
/// Sequence (0400,0550) element, encoded with undefined lengths, with one item holding the original attributes.
/// </summary>
public static class EncryptedAttributes
{
    public static readonly DicomTag SequenceTag = DicomTags.EncryptedAttributesSequence;
    public static readonly DicomTag ContentTransferSyntaxUidTag = DicomTags.EncryptedContentTransferSyntaxUID;
    public static readonly DicomTag ContentTag = DicomTags.EncryptedContent;
    public static readonly DicomTag ModifiedAttributesSequenceTag = DicomTags.ModifiedAttributesSequence;

    /// <summary>Largest encoded Modified Attributes Sequence accepted: it is held in memory, encrypted and written inline.</summary>
    public const long MaxPlaintextBytes = 256L * 1024 * 1024;

    /// <summary>
    /// Encrypts <paramref name="originals"/> (top-level elements as they were before de-identification) to
    /// <paramref name="recipient"/> and returns the (0400,0500) element to put into the de-identified data set.
    /// </summary>
    /// <exception cref="DeidentificationException">The originals encode to more than <see cref="MaxPlaintextBytes"/>.</exception>
    public static async Task<DicomSequence> BuildAsync(
        IReadOnlyList<DicomElement> originals, X509Certificate2 recipient, ContentCipher cipher, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(originals);
        ArgumentNullException.ThrowIfNull(recipient);

        // gdcmanon writes every sequence and item of the plaintext with undefined length; so does this.
        var item = new DicomDataset([.. originals.OrderBy(e => e.Tag).Select(WithUndefinedLengths)], undefinedLength: true);
        var modifiedAttributes = new DicomSequence(ModifiedAttributesSequenceTag, DicomVR.SQ, [item], undefinedLength: true);
        long size = EncodedLength(modifiedAttributes);
        if (size > MaxPlaintextBytes)
        {
            throw new DeidentificationException(DeidentificationFailure.UnsupportedContent,
                $"The original attributes encode to {size} bytes, above the {MaxPlaintextBytes} bytes the Encrypted Attributes Sequence (0400,0500) may carry.");
        }

        // A capacity of at least the encoded length keeps the stream from growing, which would leave unzeroed copies of the plaintext behind.
        // Bulk values are copied from their sources by the encoder, which also swaps big-endian sources.
        var plaintext = new MemoryStream((int)size);
        byte[] envelope;
        try
        {
            await DicomFile.WriteDatasetAsync(plaintext, new DicomDataset([modifiedAttributes], undefinedLength: false),
                TransferSyntax.ExplicitVRLittleEndian, cancellationToken).ConfigureAwait(false);
            envelope = EncryptedContent.Encrypt(plaintext.GetBuffer().AsSpan(0, (int)plaintext.Length), recipient, cipher);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext.GetBuffer());
        }

        if (envelope.Length % 2 == 1) Array.Resize(ref envelope, envelope.Length + 1); // OB padding: one 0x00, as gdcmanon
        var encryptedItem = new DicomDataset(
        [
            DicomValueElement.FromString(ContentTransferSyntaxUidTag, DicomVR.UI, TransferSyntax.ExplicitVRLittleEndian.Uid),
            new DicomValueElement(ContentTag, DicomVR.OB, envelope),
        ], undefinedLength: false);
        return new DicomSequence(SequenceTag, [encryptedItem]);
    }

    /// <summary>
    /// Decrypts the first item of (0400,0500) in <paramref name="dataset"/> for the recipient the certificate names and
    /// returns the first item of the Modified Attributes Sequence: the original attributes, every value in memory.
    /// </summary>
    /// <exception cref="ReidentificationException">No encrypted attributes, another transfer syntax, a wrong key, or malformed content.</exception>
    public static Task<DicomDataset> OpenAsync(DicomDataset dataset, X509Certificate2 certificateWithPrivateKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(certificateWithPrivateKey);
        return OpenAsync(dataset, envelope => EncryptedContent.Decrypt(envelope, certificateWithPrivateKey), cancellationToken);
    }

    /// <summary>As <see cref="OpenAsync(DicomDataset, X509Certificate2, CancellationToken)"/>, for the recipient the RSA private key opens.</summary>
    /// <exception cref="ReidentificationException">No encrypted attributes, another transfer syntax, a key that opens no recipient, or malformed content.</exception>
    public static Task<DicomDataset> OpenAsync(DicomDataset dataset, RSA privateKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        return OpenAsync(dataset, envelope => EncryptedContent.Decrypt(envelope, privateKey), cancellationToken);
    }

    private delegate byte[] EnvelopeDecryption(ReadOnlySpan<byte> envelope);

    private static async Task<DicomDataset> OpenAsync(DicomDataset dataset, EnvelopeDecryption decrypt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataset);

        if (dataset.Find(SequenceTag) is not DicomSequence { Items.Count: > 0 } sequence) throw new ReidentificationException(ReidentificationFailure.NoEncryptedAttributes);
        var item = sequence.Items[0]; // gdcmanon reads only the first item
        if (item.Find(ContentTransferSyntaxUidTag) is not DicomValueElement { Bulk: null } syntax) throw new ReidentificationException(ReidentificationFailure.Malformed);
        if (syntax.GetAsciiString() != TransferSyntax.ExplicitVRLittleEndian.Uid) throw new ReidentificationException(ReidentificationFailure.UnsupportedTransferSyntax);
        if (item.Find(ContentTag) is not DicomValueElement content || content.Length > 2 * MaxPlaintextBytes) throw new ReidentificationException(ReidentificationFailure.Malformed);

        ReadOnlyMemory<byte> envelope = content.Bulk is { } bulk ? await bulk.ReadAllAsync(cancellationToken).ConfigureAwait(false) : content.Bytes;
        byte[] plaintext;
        try
        {
            plaintext = decrypt(envelope.Span);
        }
        catch (EncryptedContentException e)
        {
            throw new ReidentificationException(
                e.Reason == EncryptedContentFailure.Malformed ? ReidentificationFailure.Malformed : ReidentificationFailure.DecryptionFailed, e);
        }

        try
        {
            var decoded = await DecodeAsync(plaintext, cancellationToken).ConfigureAwait(false);
            if (decoded is not { Count: 1 } || decoded.Elements[0] is not DicomSequence { Items.Count: > 0 } modified || modified.Tag != ModifiedAttributesSequenceTag)
            {
                throw new ReidentificationException(ReidentificationFailure.Malformed);
            }
            var originals = modified.Items[0];
            await LoadBulkValuesAsync(originals, cancellationToken).ConfigureAwait(false); // they point into the plaintext, zeroed below
            return originals;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static async Task<DicomDataset> DecodeAsync(byte[] plaintext, CancellationToken cancellationToken)
    {
        try
        {
            return await DicomFile.ReadDatasetAsync(new MemoryStream(plaintext, writable: false), TransferSyntax.ExplicitVRLittleEndian,
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (DicomFormatException e)
        {
            throw new ReidentificationException(ReidentificationFailure.Malformed, e);
        }
    }

    private static DicomElement WithUndefinedLengths(DicomElement element) => element is DicomSequence sequence
        ? new DicomSequence(sequence.Tag, sequence.VR,
            [.. sequence.Items.Select(item => new DicomDataset([.. item.Elements.Select(WithUndefinedLengths)], undefinedLength: true))],
            undefinedLength: true, sequence.ImplicitLittleEndianContent)
        : element;

    /// <summary>Explicit VR Little Endian length of an element whose sequences and items all have undefined length (an upper bound for implicit VR UN content).</summary>
    private static long EncodedLength(DicomElement element) => element switch
    {
        DicomValueElement value => HeaderLength(value.VR, value.Length) + value.Length,
        DicomSequence sequence => 12 + sequence.Items.Sum(item => 16 + item.Elements.Sum(EncodedLength)) + 8,
        DicomFragments fragments => 12 + fragments.Fragments.Sum(f => 8 + f.Length) + 8,
        _ => throw new InvalidOperationException("Unknown element kind."),
    };

    private static long HeaderLength(DicomVR vr, long length) => vr.HasLongExplicitLength || length > ushort.MaxValue ? 12 : 8;

    private static async Task LoadBulkValuesAsync(DicomDataset dataset, CancellationToken cancellationToken)
    {
        for (int i = 0; i < dataset.Elements.Count; i++)
        {
            switch (dataset.Elements[i])
            {
                case DicomValueElement { Bulk: { } bulk } value:
                    dataset.Set(new DicomValueElement(value.Tag, value.VR, await bulk.ReadAllAsync(cancellationToken).ConfigureAwait(false)));
                    break;
                case DicomSequence sequence:
                    foreach (var item in sequence.Items) await LoadBulkValuesAsync(item, cancellationToken).ConfigureAwait(false);
                    break;
                case DicomFragments fragments:
                    for (int f = 0; f < fragments.Fragments.Count; f++)
                    {
                        if (fragments.Fragments[f].Bulk is { } fragment)
                        {
                            fragments.Fragments[f] = new DicomFragment(await fragment.ReadAllAsync(cancellationToken).ConfigureAwait(false), null);
                        }
                    }
                    break;
            }
        }
    }
}
