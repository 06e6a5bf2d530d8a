namespace CloudAnon.Pixels.Detection;

/// <summary>
/// The protobuf wire format, just enough to walk the messages of an ONNX model and write them back: fields are read as
/// their raw bytes (so what is not changed is copied verbatim) and written as tag + value.
/// </summary>
internal static class ProtobufWire
{
    public const int Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5;

    /// <summary>One field of a message: its number and wire type, its raw bytes (tag included) and its value.</summary>
    public readonly record struct Field(int Number, int WireType, ReadOnlyMemory<byte> Raw, ReadOnlyMemory<byte> Value, ulong Scalar);

    public static List<Field> Read(ReadOnlyMemory<byte> message)
    {
        var fields = new List<Field>();
        var span = message.Span;
        int at = 0;
        while (at < span.Length)
        {
            int start = at;
            ulong tag = ReadVarint(span, ref at);
            int number = (int)(tag >> 3), wireType = (int)(tag & 7);
            int valueStart = at;
            ulong scalar = 0;
            switch (wireType)
            {
                case Varint: scalar = ReadVarint(span, ref at); break;
                case Fixed64: scalar = BitConverter.ToUInt64(Take(span, ref at, 8)); break;
                case Fixed32: scalar = BitConverter.ToUInt32(Take(span, ref at, 4)); break;
                case LengthDelimited:
                    int length = checked((int)ReadVarint(span, ref at));
                    valueStart = at;
                    Take(span, ref at, length);
                    break;
                default: throw new InvalidDataException($"Unsupported protobuf wire type {wireType} at byte {start}.");
            }
            fields.Add(new Field(number, wireType, message[start..at], message[valueStart..at], scalar));
        }
        return fields;
    }

    /// <summary>The values of a repeated varint field, packed or not.</summary>
    public static IEnumerable<long> Varints(IEnumerable<Field> fields, int number)
    {
        foreach (var field in fields.Where(f => f.Number == number))
        {
            if (field.WireType == Varint) { yield return (long)field.Scalar; continue; }
            var values = new List<long>();
            var span = field.Value.Span;
            for (int at = 0; at < span.Length;) values.Add((long)ReadVarint(span, ref at));
            foreach (var value in values) yield return value;
        }
    }

    public static string Text(Field field) => System.Text.Encoding.UTF8.GetString(field.Value.Span);

    public static void WriteVarint(Stream output, ulong value)
    {
        for (; value >= 0x80; value >>= 7) output.WriteByte((byte)(value | 0x80));
        output.WriteByte((byte)value);
    }

    public static void WriteTag(Stream output, int number, int wireType) => WriteVarint(output, (ulong)(number << 3 | wireType));

    public static void WriteBytes(Stream output, int number, ReadOnlySpan<byte> value)
    {
        WriteTag(output, number, LengthDelimited);
        WriteVarint(output, (ulong)value.Length);
        output.Write(value);
    }

    public static void WriteText(Stream output, int number, string value) => WriteBytes(output, number, System.Text.Encoding.UTF8.GetBytes(value));

    public static void WriteFloat(Stream output, int number, float value)
    {
        WriteTag(output, number, Fixed32);
        output.Write(BitConverter.GetBytes(value));
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (at >= span.Length) throw new InvalidDataException("A protobuf varint runs past the end of its message.");
            byte b = span[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        throw new InvalidDataException("A protobuf varint is longer than 10 bytes.");
    }

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> span, ref int at, int length)
    {
        if (length < 0 || length > span.Length - at) throw new InvalidDataException($"A protobuf field at byte {at} runs past the end of its message.");
        var taken = span.Slice(at, length);
        at += length;
        return taken;
    }
}
