namespace CloudAnon.Dicom;

/// <summary>How a data set is encoded: VR explicit or implicit, byte order, deflate, and whether pixel data is encapsulated.</summary>
public sealed class TransferSyntax
{
    private TransferSyntax(string uid, string name, bool explicitVR, bool bigEndian, bool deflated, bool encapsulated)
    {
        Uid = uid;
        Name = name;
        IsExplicitVR = explicitVR;
        IsBigEndian = bigEndian;
        IsDeflated = deflated;
        IsEncapsulated = encapsulated;
    }

    public string Uid { get; }
    public string Name { get; }
    public bool IsExplicitVR { get; }
    public bool IsBigEndian { get; }
    public bool IsDeflated { get; }

    /// <summary>Pixel data is a sequence of compressed fragments, passed through unchanged.</summary>
    public bool IsEncapsulated { get; }

    public override string ToString() => $"{Name} ({Uid})";

    public static readonly TransferSyntax ImplicitVRLittleEndian = new("1.2.840.10008.1.2", "Implicit VR Little Endian", false, false, false, false);
    public static readonly TransferSyntax ExplicitVRLittleEndian = new("1.2.840.10008.1.2.1", "Explicit VR Little Endian", true, false, false, false);
    public static readonly TransferSyntax ExplicitVRBigEndian = new("1.2.840.10008.1.2.2", "Explicit VR Big Endian (retired)", true, true, false, false);
    public static readonly TransferSyntax DeflatedExplicitVRLittleEndian = new("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", true, false, true, false);

    private static readonly Dictionary<string, TransferSyntax> Known = new[]
    {
        ImplicitVRLittleEndian, ExplicitVRLittleEndian, ExplicitVRBigEndian, DeflatedExplicitVRLittleEndian,
        Encapsulated("1.2.840.10008.1.2.1.98", "Encapsulated Uncompressed Explicit VR Little Endian"),
        Encapsulated("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)"),
        Encapsulated("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)"),
        Encapsulated("1.2.840.10008.1.2.4.53", "JPEG Spectral Selection, Non-Hierarchical (retired)"),
        Encapsulated("1.2.840.10008.1.2.4.55", "JPEG Full Progression, Non-Hierarchical (retired)"),
        Encapsulated("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)"),
        Encapsulated("1.2.840.10008.1.2.4.70", "JPEG Lossless, First-Order Prediction (Process 14 SV1)"),
        Encapsulated("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless"),
        Encapsulated("1.2.840.10008.1.2.4.81", "JPEG-LS Near-Lossless"),
        Encapsulated("1.2.840.10008.1.2.4.90", "JPEG 2000 (Lossless Only)"),
        Encapsulated("1.2.840.10008.1.2.4.91", "JPEG 2000"),
        Encapsulated("1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2 Multi-component (Lossless Only)"),
        Encapsulated("1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2 Multi-component"),
        Encapsulated("1.2.840.10008.1.2.4.94", "JPIP Referenced"),
        Encapsulated("1.2.840.10008.1.2.4.95", "JPIP Referenced Deflate"),
        Encapsulated("1.2.840.10008.1.2.4.100", "MPEG2 Main Profile / Main Level"),
        Encapsulated("1.2.840.10008.1.2.4.101", "MPEG2 Main Profile / High Level"),
        Encapsulated("1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264 High Profile / Level 4.1"),
        Encapsulated("1.2.840.10008.1.2.4.103", "MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1"),
        Encapsulated("1.2.840.10008.1.2.4.104", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video"),
        Encapsulated("1.2.840.10008.1.2.4.105", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video"),
        Encapsulated("1.2.840.10008.1.2.4.106", "MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2"),
        Encapsulated("1.2.840.10008.1.2.4.107", "HEVC/H.265 Main Profile / Level 5.1"),
        Encapsulated("1.2.840.10008.1.2.4.108", "HEVC/H.265 Main 10 Profile / Level 5.1"),
        Encapsulated("1.2.840.10008.1.2.4.110", "JPEG XL Lossless"),
        Encapsulated("1.2.840.10008.1.2.4.111", "JPEG XL JPEG Recompression"),
        Encapsulated("1.2.840.10008.1.2.4.112", "JPEG XL"),
        Encapsulated("1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Lossless"),
        Encapsulated("1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options Lossless"),
        Encapsulated("1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000"),
        Encapsulated("1.2.840.10008.1.2.4.204", "JPIP HTJ2K Referenced"),
        Encapsulated("1.2.840.10008.1.2.4.205", "JPIP HTJ2K Referenced Deflate"),
        Encapsulated("1.2.840.10008.1.2.5", "RLE Lossless"),
        Encapsulated("1.2.840.10008.1.2.6.1", "RFC 2557 MIME encapsulation (retired)"),
        Encapsulated("1.2.840.10008.1.2.6.2", "XML Encoding (retired)"),
        new TransferSyntax("1.2.840.10008.1.2.8.1", "Deflated Image Frame Compression", true, false, false, true),
        Encapsulated("1.2.840.10008.1.2.7.1", "SMPTE ST 2110-20 Uncompressed Progressive Active Video"),
        Encapsulated("1.2.840.10008.1.2.7.2", "SMPTE ST 2110-20 Uncompressed Interlaced Active Video"),
        Encapsulated("1.2.840.10008.1.2.7.3", "SMPTE ST 2110-30 PCM Digital Audio"),
    }.ToDictionary(ts => ts.Uid);

    private static TransferSyntax Encapsulated(string uid, string name) => new(uid, name, true, false, false, true);

    /// <summary>Every syntax the codec knows by UID.</summary>
    public static IEnumerable<TransferSyntax> All => Known.Values;

    /// <summary>The syntax for a UID the codec knows (trailing NUL/space padding ignored); false for any other UID.</summary>
    public static bool TryGetKnown(string uid, out TransferSyntax syntax) => Known.TryGetValue(uid.TrimEnd('\0', ' '), out syntax!);

    /// <summary>The syntax for a UID (trailing NUL/space padding ignored); unknown UIDs are taken as encapsulated Explicit VR Little Endian.</summary>
    public static TransferSyntax Lookup(string uid)
    {
        uid = uid.TrimEnd('\0', ' ');
        return Known.TryGetValue(uid, out var ts) ? ts : new TransferSyntax(uid, "Unknown", true, false, false, true);
    }
}
