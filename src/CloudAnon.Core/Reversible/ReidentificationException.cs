namespace CloudAnon.Core.Reversible;

/// <summary>Why the original attributes could not be recovered from a de-identified data set.</summary>
public enum ReidentificationFailure
{
    /// <summary>No Encrypted Attributes Sequence (0400,0500), or one without items.</summary>
    NoEncryptedAttributes,

    /// <summary>Encrypted Content Transfer Syntax UID (0400,0510) is not Explicit VR Little Endian, the only one gdcmanon writes or reads.</summary>
    UnsupportedTransferSyntax,

    /// <summary>The envelope is not addressed to the key, the key is wrong, the cipher is refused, or the ciphertext is corrupted.</summary>
    DecryptionFailed,

    /// <summary>The item, the envelope or the decrypted Modified Attributes Sequence (0400,0550) is not well formed.</summary>
    Malformed,

    /// <summary>The decrypted attributes hold no SOP Instance UID (0008,0018); gdcmanon refuses these too.</summary>
    MissingSopInstanceUid,
}

/// <summary>Re-identification failed. The message is fixed per <see cref="Reason"/>: it never carries a value from the file.</summary>
public sealed class ReidentificationException(ReidentificationFailure reason, Exception? innerException = null)
    : Exception(Describe(reason), innerException)
{
    public ReidentificationFailure Reason { get; } = reason;

    private static string Describe(ReidentificationFailure reason) => reason switch
    {
        ReidentificationFailure.NoEncryptedAttributes => "The data set has no Encrypted Attributes Sequence (0400,0500) item.",
        ReidentificationFailure.UnsupportedTransferSyntax => "Encrypted Content Transfer Syntax UID (0400,0510) is not Explicit VR Little Endian.",
        ReidentificationFailure.DecryptionFailed => "Encrypted Content (0400,0520) could not be decrypted with the given key.",
        ReidentificationFailure.Malformed => "The Encrypted Attributes item or the decrypted Modified Attributes Sequence (0400,0550) is malformed.",
        ReidentificationFailure.MissingSopInstanceUid => "The decrypted attributes hold no SOP Instance UID (0008,0018).",
        _ => "Re-identification failed.",
    };
}
