using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CloudAnon.Pixels.Codecs;

/// <summary>
/// Reads a JPEG (ISO 10918-1) or JPEG-LS (ISO 14495-1) codestream marker by marker, in place, from SOI to EOI: fill
/// bytes and entropy-coded data are stepped over, nothing is copied. The one JPEG marker walker: metadata stripping
/// and the decoder's inspection both read through it, each turning a malformed codestream into its own failure.
/// </summary>
internal ref struct JpegMarkerReader
{
    public const byte StartOfImage = 0xD8, EndOfImage = 0xD9, StartOfScan = 0xDA, Temporary = 0x01;

    private readonly ReadOnlySpan<byte> _codestream;
    private readonly Func<string, Exception> _malformed;
    private int _at;
    private bool _inScan, _ended;

    /// <param name="malformed">Makes the exception thrown for a codestream that cannot be walked, from the reason.</param>
    public JpegMarkerReader(ReadOnlySpan<byte> codestream, Func<string, Exception> malformed)
    {
        if (codestream.Length < 2 || codestream[0] != 0xFF || codestream[1] != StartOfImage) throw malformed("it does not start with SOI");
        _codestream = codestream;
        _malformed = malformed;
        _at = 2;
    }

    /// <summary>The marker read last (the byte after 0xFF).</summary>
    public byte Marker { get; private set; }

    /// <summary>Where the marker read last starts (its fill bytes included).</summary>
    public int Start { get; private set; }

    /// <summary>Where the marker read last and its segment end.</summary>
    public readonly int End => _at;

    /// <summary>The segment of the marker read last, its length field included; empty for a marker without one (SOI, EOI, RSTn, TEM).</summary>
    public ReadOnlySpan<byte> Segment { get; private set; }

    /// <summary>Reads the next marker; false after EOI, or at the end of the data when EOI is missing.</summary>
    public bool Read()
    {
        if (_ended) return false;
        if (_inScan)
        {
            _at = NextMarker(_codestream, _at);
            _inScan = false;
        }
        if (_at >= _codestream.Length) return false;
        if (_codestream[_at] != 0xFF) throw _malformed($"a marker was expected at byte {_at}");
        Start = _at;
        while (_at + 1 < _codestream.Length && _codestream[_at + 1] == 0xFF) _at++; // fill bytes
        if (_at + 1 >= _codestream.Length) throw _malformed("it ends inside a marker");
        Marker = _codestream[_at + 1];
        _at += 2;
        Segment = default;
        if (Marker == EndOfImage) _ended = true;
        if (Marker is StartOfImage or EndOfImage or Temporary or (>= 0xD0 and <= 0xD7)) return true; // no length field
        if (Marker == 0x00 || _at + 2 > _codestream.Length) throw _malformed($"marker 0xFF{Marker:X2} at byte {Start} is not valid here");
        int length = BinaryPrimitives.ReadUInt16BigEndian(_codestream[_at..]);
        if (length < 2 || _at + length > _codestream.Length) throw _malformed($"the segment of marker 0xFF{Marker:X2} at byte {Start} runs past the end");
        Segment = _codestream.Slice(_at, length);
        _at += length;
        _inScan = Marker == StartOfScan;
        return true;
    }

    /// <summary>
    /// The position of the marker that ends entropy-coded data starting at <paramref name="at"/>, or the end of the data.
    /// Inside a scan 0xFF is followed by 0x00 (stuffing, 10918), by a byte below 0x80 (bit stuffing, JPEG-LS) or by a
    /// restart marker; anything else starts a marker. Entropy-coded data holds a stuffed 0xFF every few hundred bytes:
    /// the 0xFF bytes are found a vector at a time and only the byte after each is looked at alone, rather than a search
    /// started again after every one.
    /// </summary>
    private static int NextMarker(ReadOnlySpan<byte> codestream, int at)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            ref byte start = ref MemoryMarshal.GetReference(codestream);
            var fill = Vector256.Create((byte)0xFF);
            // 64 bytes a step, most with no 0xFF; the last byte is not looked at: a marker needs the byte after its 0xFF.
            for (; at + 2 * Vector256<byte>.Count < codestream.Length; at += 2 * Vector256<byte>.Count)
            {
                var low = Vector256.Equals(Vector256.LoadUnsafe(ref start, (nuint)at), fill);
                var high = Vector256.Equals(Vector256.LoadUnsafe(ref start, (nuint)(at + Vector256<byte>.Count)), fill);
                if ((low | high) == Vector256<byte>.Zero) continue;
                for (ulong candidates = low.ExtractMostSignificantBits() | (ulong)high.ExtractMostSignificantBits() << 32; candidates != 0; candidates &= candidates - 1)
                {
                    int candidate = at + BitOperations.TrailingZeroCount(candidates);
                    if (EndsEntropyCodedData(codestream[candidate + 1])) return candidate;
                }
            }
        }
        while (true)
        {
            int found = codestream[at..].IndexOf((byte)0xFF);
            if (found < 0) return codestream.Length;
            at += found;
            if (at + 1 >= codestream.Length) return codestream.Length;
            if (EndsEntropyCodedData(codestream[at + 1])) return at;
            at += 2;
        }
    }

    private static bool EndsEntropyCodedData(byte afterFF) => afterFF >= 0x80 && afterFF is not (>= 0xD0 and <= 0xD7);
}
