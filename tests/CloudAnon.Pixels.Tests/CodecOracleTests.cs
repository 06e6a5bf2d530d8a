using CloudAnon.Dicom;
using CloudAnon.Pixels.Codecs;
using CloudAnon.TestSupport;

namespace CloudAnon.Pixels.Tests;

/// <summary>Our decoders against DCMTK's on real files: RLE and JPEG lossless bit-exact, JPEG baseline within its rounding.</summary>
public sealed class CodecOracleTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cloudanon-codecs-").FullName;

    [Theory]
    [InlineData("private/acuson/YBR_FULL-RLE_Acuson.dcm", "dcmdrle")]
    [InlineData("private/philips_us/OBXXXX1A_rle_PhilipsUS.dcm", "dcmdrle")]
    [InlineData("modality/US_multiframe/US-PAL-8-10x-echo", "dcmdrle")]
    [InlineData("private/ai_results/RLEPlanarConfiguration_Milvue_AI.dcm", "dcmdrle")]
    [InlineData("private/kinetdx/JPGLosslessP14SV1_KINETDX_PhilipsUS.dcm", "dcmdjpeg")]
    [InlineData("ts/jpeg_lossless_sv1/SC_rgb_jpeg_gdcm_lossless.dcm", "dcmdjpeg")]
    public async Task Lossless_decoding_matches_dcmtk_bit_for_bit(string relativePath, string tool)
    {
        string source = Corpus.Get(relativePath).FullPath;
        var ours = await Oracles.ReadFramesAsync(source);
        var dcmtk = await Oracles.ReadFramesAsync(Oracles.DcmtkDecompress(source, tool, _directory));

        Assert.Equal(dcmtk.Frames.Length, ours.Frames.Length);
        for (int f = 0; f < ours.Frames.Length; f++)
        {
            for (int pixel = 0; pixel < ours.Module.PixelsPerFrame; pixel++)
            {
                for (int s = 0; s < ours.Module.SamplesPerPixel; s++)
                {
                    int expected = Detection.FrameRenderer.Sample(dcmtk.Frames[f], dcmtk.Module, pixel, s);
                    int actual = Detection.FrameRenderer.Sample(ours.Frames[f], ours.Module, pixel, s);
                    if (expected != actual) Assert.Fail($"frame {f} pixel {pixel} sample {s}: {actual}, DCMTK {expected}");
                }
            }
        }
    }

    [Theory]
    [InlineData("ts/encapsulated_multiframe/IM00001_US_fragmented_no_bot_jpeg_baseline_50.dcm")]
    [InlineData("modality/OP/sample-op_ophthalmic.dcm")] // baseline data although its syntax says lossless
    [InlineData("synthetic YBR_FULL_422")]
    public async Task Baseline_decoding_is_within_rounding_of_dcmtk(string relativePath)
    {
        string source = relativePath.StartsWith("synthetic", StringComparison.Ordinal)
            ? SyntheticDicom.Write(_directory, "ybr422", [SyntheticFrame.Render(320, 240, lightOnDark: true, colour: true)], SyntheticLayout.Rgb8, "1.2.840.10008.1.2.4.50")
            : Corpus.Get(relativePath).FullPath;
        var ours = await Oracles.ReadFramesAsync(source);
        // DCMTK converts YCbCr to RGB unless told not to (+cn keeps the decoded YCbCr, chroma upsampled).
        string decompressed = Path.Combine(_directory, "baseline.dcmtk.dcm");
        Assert.Equal(0, ExternalTool.Run("dcmdjpeg", "+cn", source, decompressed).ExitCode);
        var dcmtk = await Oracles.ReadFramesAsync(decompressed);

        double squared = 0;
        long count = 0;
        for (int f = 0; f < ours.Frames.Length; f++)
        {
            for (int pixel = 0; pixel < ours.Module.PixelsPerFrame; pixel++)
            {
                for (int s = 0; s < ours.Module.SamplesPerPixel; s++, count++)
                {
                    squared += Math.Pow(Detection.FrameRenderer.Sample(ours.Frames[f], ours.Module, pixel, s) - Detection.FrameRenderer.Sample(dcmtk.Frames[f], dcmtk.Module, pixel, s), 2);
                }
            }
        }
        double psnr = 10 * Math.Log10(255.0 * 255.0 / Math.Max(squared / count, 1e-9));
        Assert.True(psnr > 40, $"PSNR {psnr:0.0} dB against DCMTK");
    }

    [Fact]
    public void Rle_round_trips_and_refuses_malformed_segments()
    {
        var module = new ImagePixelModule(3, 5, 3, Photometric.Rgb, false, 16, 12, false, 1);
        var frame = new byte[module.FrameLength];
        new Random(7).NextBytes(frame);
        for (int i = 1; i < frame.Length; i += 2) frame[i] &= 0x0F;
        var encoded = RleCodec.Encode(frame, module);
        var decoded = new byte[frame.Length];

        RleCodec.Decode(encoded, module, decoded);

        Assert.Equal(frame, decoded);
        Assert.Equal(DeidentificationFailure.PixelDataUndecodable, Assert.Throws<DeidentificationException>(() => RleCodec.Decode(encoded.AsSpan(0, 70), module, decoded)).Failure);
        var wrongCount = (byte[])encoded.Clone();
        wrongCount[0] = 2;
        Assert.Throws<DeidentificationException>(() => RleCodec.Decode(wrongCount, module, decoded));
    }

    [Theory]
    [InlineData("ts/jpegls_near_lossless/SC_rgb_jls_lossy_line.dcm", DeidentificationFailure.PixelEncodingUnsupported)]
    [InlineData("ts/j2k_lossless/GDCMJ2K_TextGBR.dcm", DeidentificationFailure.PixelEncodingUnsupported)]
    [InlineData("ts/htj2k_lossless/HTJ2KLossless_08_RGB.dcm", DeidentificationFailure.PixelEncodingUnsupported)]
    [InlineData("ts/jpegxl/will-jxl_US_multiframe.dcm", DeidentificationFailure.PixelEncodingUnsupported)]
    public async Task Syntaxes_without_a_served_codec_are_refused_with_their_reason(string relativePath, DeidentificationFailure failure)
    {
        await using var stream = File.OpenRead(Corpus.Get(relativePath).FullPath);
        using var file = await DicomFile.OpenAsync(stream);
        var cleaner = new PixelCleaner(new NoTextDetector(), new NoTextDetector(), new PixelCleanerOptions());

        var error = await Assert.ThrowsAsync<DeidentificationException>(() => cleaner.CleanAsync(file));

        Assert.Equal(failure, error.Failure);
        Assert.Contains(file.TransferSyntax.Uid, error.Message);
    }

    [Fact]
    public async Task Jpeg_lossless_with_another_predictor_is_refused()
    {
        var frame = SyntheticFrame.Render(64, 48, lightOnDark: true);
        string predictor6 = SyntheticDicom.Write(_directory, "sv6", [frame], SyntheticLayout.Mono8, "1.2.840.10008.1.2.4.57");

        var error = await Assert.ThrowsAsync<DeidentificationException>(() => Oracles.ReadFramesAsync(predictor6));

        Assert.Equal(DeidentificationFailure.PixelEncodingUnsupported, error.Failure);
        Assert.Contains("predictor 6", error.Message);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed class NoTextDetector : Detection.ITextDetector, Detection.ITextRecognizer
    {
        public IReadOnlyList<PixelRegion> Detect(Detection.RgbImage image, int enlargeTo, float minimumScore) => [];

        public Detection.RecognizedText Read(Detection.RgbImage image, PixelRegion region) => Detection.RecognizedText.Nothing(region);
    }
}
