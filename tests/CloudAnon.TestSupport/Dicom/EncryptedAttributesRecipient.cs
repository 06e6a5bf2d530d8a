using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.Xml;
using CloudAnon.Dicom;

namespace CloudAnon.TestSupport;

/// <summary>Who a de-identified file's originals were encrypted to: the recipient of its (0400,0520) EnvelopedData.</summary>
public static class EncryptedAttributesRecipient
{
    /// <summary>The serial number of the one recipient's certificate (issuer and serial number identify it).</summary>
    public static string SerialNumber(DicomFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var encryptedAttributes = (DicomSequence)file.Dataset.Find(new DicomTag(0x0400, 0x0500))!;
        var content = (DicomValueElement)encryptedAttributes.Items.Single().Find(new DicomTag(0x0400, 0x0520))!;
        var envelope = new EnvelopedCms();
        envelope.Decode(content.Bytes.Span);
        var recipient = envelope.RecipientInfos.Cast<RecipientInfo>().Single();
        return ((X509IssuerSerial)recipient.RecipientIdentifier.Value!).SerialNumber;
    }
}
