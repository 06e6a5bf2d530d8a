using System.Buffers;
using System.Text;

namespace CloudAnon.Dicom.Text;

/// <summary>
/// Character sets without code extensions that are not built from code elements (UTF-8, GB18030, GBK): the whole
/// value is one byte stream, decoded in one piece, so a trail byte equal to 0x5C is never mistaken for a delimiter.
/// </summary>
internal sealed class WholeValueCodec(Encoding decoding, Encoding strictEncoding) : TextCodec
{
    public static readonly WholeValueCodec Utf8 = new(
        new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false),
        new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true));

    public static readonly WholeValueCodec Gb18030 = new(CodePages.Get(54936), CodePages.GetStrict(54936));

    public static readonly WholeValueCodec Gbk = new(CodePages.Get(936), CodePages.GetStrict(936));

    /// <summary>Non-standard "GB2312": read as GBK (a superset of EUC-CN), written only within GB 2312.</summary>
    public static readonly WholeValueCodec Gb2312 = new(CodePages.Get(936), CodePages.GetStrict(20936));

    public override bool InterpretsEscapes => false;

    public override string Decode(ReadOnlySpan<byte> value, DicomVR vr) => decoding.GetString(value);

    public override bool TryEncode(ReadOnlySpan<char> text, DicomVR vr, IBufferWriter<byte>? output)
    {
        try
        {
            int count = strictEncoding.GetByteCount(text);
            if (output is not null) output.Advance(strictEncoding.GetBytes(text, output.GetSpan(count)));
            return true;
        }
        catch (EncoderFallbackException)
        {
            // Its message quotes the character: drop it, report only that the text does not fit.
            return false;
        }
    }
}
