using CloudAnon.Dicom;

namespace CloudAnon.Core.Engine;

/// <summary>
/// Codes inside dummy or cleaned content (SR Content Sequence items' Concept Name, Concept Code and Measurement Units
/// Code Sequences, …). A code from a coding scheme of PS3.16 Table 8-1 (DCM, SCT, LN, UCUM, RADLEX, …) is a controlled
/// term and stays. A code from any other scheme (local "99…" and "L" designators, private ones, or no designator) has
/// a value and meaning its sender wrote freely, so both become dummies: the meaning can hold anything, and the value
/// of a local code is often an employee number, initials or a local order code. The designator stays, so a reader
/// still sees a local code.
/// </summary>
internal static class ContentCodes
{

    /// <summary>The attributes of a code that carry its value or meaning (Code Value, Code Meaning, Long Code Value, URN Code Value).</summary>
    private static readonly DicomTag[] ValueAndMeaning = [DicomTags.CodeValue, DicomTags.CodeMeaning, DicomTags.LongCodeValue, DicomTags.URNCodeValue];

    /// <summary>Coding Scheme Designators of PS3.16 Table 8-1 (case-sensitive, as the standard writes them).</summary>
    private static readonly HashSet<string> StandardDesignators = new(StringComparer.Ordinal)
    {
        "ACR", "ASTM-sigpurpose", "BARI", "BI", "C4", "C5", "caDSR", "CD2", "CTV3", "DC", "DCM", "DCMUID", "FMA", "HPC",
        "I10", "I10C", "I10P", "I11", "I9", "I9C", "IBSI", "ICDO3", "IETF4646", "ISO3166_1", "ISO5218_1", "ISO639_1",
        "ISO639_2", "ISO_OID", "ITIS_TSN", "LN", "MA", "MAYOASRG", "MDC", "MDNS", "MGI", "MSH", "NBD", "NBG", "NCDR",
        "NCIt", "NDC", "NEU", "NICIP", "NPI", "NYUMCCG", "PATHLEX", "POS", "PUBCHEM_CID", "RADELEMENT", "RADLEX",
        "RFC-3881", "RFC3066", "RFC5646", "RO", "RRID", "RXNORM", "99SDM", "SCPECG", "SCT", "SNM3", "SRT", "UBERON",
        "UCUM", "UMLS", "UNS", "UPC",
    };

    /// <summary>Whether <paramref name="tag"/> in <paramref name="item"/> is the value or meaning of a code from a scheme outside Table 8-1.</summary>
    public static bool IsLocalValueOrMeaning(DicomDataset item, DicomTag tag) =>
        Array.IndexOf(ValueAndMeaning, tag) >= 0 && !IsStandardScheme(item.GetAsciiString(DicomTags.CodingSchemeDesignator));

    public static bool IsStandardScheme(string? designator) =>
        designator is not null && StandardDesignators.Contains(designator.Trim(' ', '\0'));
}
