using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace CloudAnon.Dicom;

/// <summary>A readable listing of a data set in the manner of dcmdump: tag, VR, value, length and keyword; sequences indented.</summary>
public static class DicomDump
{
    private const int MaxTextLength = 64;
    private const int MaxNumbers = 16;
    private const int MaxBinaryBytes = 16;

    public static void Write(DicomFile file, TextWriter output)
    {
        output.WriteLine($"# Transfer syntax: {file.TransferSyntax}");
        if (file.FileMetaInformation.Count > 0)
        {
            output.WriteLine("# File Meta Information");
            Write(file.FileMetaInformation, output, DicomCharacterSet.Default, depth: 0);
        }
        output.WriteLine("# Data set");
        Write(file.Dataset, output, DicomCharacterSet.Default, depth: 0);
    }

    public static void Write(DicomDataset dataset, TextWriter output, DicomCharacterSet inherited, int depth)
    {
        // An item may declare its own Specific Character Set (PS3.5 7.5.3).
        var characterSet = dataset.Find(DicomTag.SpecificCharacterSet) is DicomValueElement { Bulk: null } charset
            ? DicomCharacterSet.FromSpecificCharacterSet(charset.GetAsciiString())
            : inherited;
        string indent = new(' ', depth * 2);
        foreach (var element in dataset.Elements)
        {
            switch (element)
            {
                case DicomValueElement value:
                    Line(output, indent, element, $"{value.VR} {Render(value, characterSet)}", value.Length);
                    break;
                case DicomSequence sequence:
                    Line(output, indent, element, $"{sequence.VR} (Sequence with {sequence.Items.Count} item(s){(sequence.UndefinedLength ? ", undefined length" : "")})", null);
                    foreach (var item in sequence.Items)
                    {
                        output.WriteLine($"{indent}  (FFFE,E000) na (Item{(item.UndefinedLength ? " with undefined length" : "")})");
                        Write(item, output, characterSet, depth + 2);
                        output.WriteLine($"{indent}  (FFFE,E00D) na (ItemDelimitationItem)");
                    }
                    output.WriteLine($"{indent}(FFFE,E0DD) na (SequenceDelimitationItem)");
                    break;
                case DicomFragments fragments:
                    Line(output, indent, element, $"{fragments.VR} (PixelSequence with {fragments.Fragments.Count} item(s))", null);
                    foreach (var fragment in fragments.Fragments)
                    {
                        output.WriteLine($"{indent}  (FFFE,E000) pi ({fragment.Length} bytes)");
                    }
                    output.WriteLine($"{indent}(FFFE,E0DD) na (SequenceDelimitationItem)");
                    break;
            }
        }
    }

    private static void Line(TextWriter output, string indent, DicomElement element, string body, long? length)
    {
        string keyword = DicomDictionary.TryGetEntry(element.Tag, out var entry) ? entry.Keyword
            : element.Tag.IsPrivateCreator ? "PrivateCreator"
            : element.Tag.IsPrivate ? "PrivateTag"
            : element.Tag.IsGroupLength ? "GroupLength" : "Unknown";
        string head = $"{indent}{element.Tag} {body}";
        output.WriteLine(length is { } n ? $"{head,-60} # {n,4}, {keyword}" : $"{head,-60} # {keyword}");
    }

    private static string Render(DicomValueElement value, DicomCharacterSet characterSet)
    {
        if (value.Bulk is { } bulk) return $"(bulk data, {bulk.Length} bytes)";
        var bytes = value.Bytes.Span;
        if (bytes.IsEmpty) return "(no value)";
        var vr = value.VR;
        if (vr.IsString)
        {
            string text = vr.IsCharacterSetDependent ? characterSet.Decode(bytes, vr) : Encoding.Latin1.GetString(bytes);
            text = text.TrimEnd(' ', '\0');
            return "[" + (text.Length > MaxTextLength ? text[..MaxTextLength] + "..." : text) + "]";
        }
        return vr.UnitSize > 1 && vr != DicomVR.OW && vr != DicomVR.OF && vr != DicomVR.OD && vr != DicomVR.OL && vr != DicomVR.OV
            ? RenderNumbers(bytes, vr)
            : RenderBinary(bytes);
    }

    private static string RenderNumbers(ReadOnlySpan<byte> bytes, DicomVR vr)
    {
        int unit = vr.UnitSize;
        int count = bytes.Length / unit;
        var text = new StringBuilder();
        for (int i = 0; i < Math.Min(count, MaxNumbers); i++)
        {
            if (i > 0) text.Append('\\');
            var n = bytes.Slice(i * unit, unit);
            text.Append(vr switch
            {
                _ when vr == DicomVR.US => BinaryPrimitives.ReadUInt16LittleEndian(n).ToString(CultureInfo.InvariantCulture),
                _ when vr == DicomVR.SS => BinaryPrimitives.ReadInt16LittleEndian(n).ToString(CultureInfo.InvariantCulture),
                _ when vr == DicomVR.UL => BinaryPrimitives.ReadUInt32LittleEndian(n).ToString(CultureInfo.InvariantCulture),
                _ when vr == DicomVR.SL => BinaryPrimitives.ReadInt32LittleEndian(n).ToString(CultureInfo.InvariantCulture),
                _ when vr == DicomVR.FL => BinaryPrimitives.ReadSingleLittleEndian(n).ToString(CultureInfo.InvariantCulture),
                _ when vr == DicomVR.FD => BinaryPrimitives.ReadDoubleLittleEndian(n).ToString(CultureInfo.InvariantCulture),
                _ when vr == DicomVR.SV => BinaryPrimitives.ReadInt64LittleEndian(n).ToString(CultureInfo.InvariantCulture),
                _ when vr == DicomVR.UV => BinaryPrimitives.ReadUInt64LittleEndian(n).ToString(CultureInfo.InvariantCulture),
                _ => new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(n), BinaryPrimitives.ReadUInt16LittleEndian(n[2..])).ToString(),
            });
        }
        if (count > MaxNumbers) text.Append("\\...");
        return text.ToString();
    }

    private static string RenderBinary(ReadOnlySpan<byte> bytes)
    {
        string hex = Convert.ToHexString(bytes[..Math.Min(bytes.Length, MaxBinaryBytes)]).ToLowerInvariant();
        return bytes.Length > MaxBinaryBytes ? hex + "..." : hex;
    }
}
