using BenchmarkDotNet.Attributes;
using CloudAnon.Core;
using CloudAnon.Core.Mapping;
using CloudAnon.Dicom;
using CloudAnon.Pixels;
using CloudAnon.Pixels.Detection;

namespace CloudAnon.Benchmarks;

/// <summary>
/// Clean Pixel Data on real ultrasound frames, one core for the detector (IntraOpNumThreads = 1, as in production):
/// detection alone, blanking alone, and one whole single-frame file through the cleaner (detection, blanking,
/// verification rounds, RLE encoding) at 640 × 480 (Acuson, YBR_FULL, RLE) and 1024 × 768 (Philips via KinetDx,
/// MONOCHROME2, JPEG Lossless); then a whole file through the engine with the option on and off (pass-through).
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class CleanPixelDataBenchmarks
{
    private static readonly Dictionary<string, string> Files = new()
    {
        ["640x480"] = "private/acuson/YBR_FULL-RLE_Acuson.dcm",
        ["1024x768"] = "private/kinetdx/JPGLosslessP14SV1_KINETDX_PhilipsUS.dcm",
    };

    private OnnxTextDetector _detector = null!;
    private OnnxTextRecognizer _recognizer = null!;
    private PixelCleaner _cleaner = null!;
    private byte[] _file = [];
    private RgbImage _image = null!;
    private PixelFrames _frames = null!;
    private BlankMask _mask = null!;
    private IReadOnlyList<PixelRegion> _regions = [];
    private Deidentifier _cleaning = null!;
    private Deidentifier _passThrough = null!;

    [Params("640x480", "1024x768")]
    public string Frame { get; set; } = "640x480";

    [GlobalSetup]
    public async Task Setup()
    {
        _detector = OnnxTextDetector.Open(threads: 1);
        _recognizer = OnnxTextRecognizer.Open(threads: 1);
        _cleaner = new PixelCleaner(_detector, _recognizer, new PixelCleanerOptions());
        _file = await File.ReadAllBytesAsync(Corpus.Get(Files[Frame]).FullPath);
        using var file = await DicomFile.OpenAsync(new MemoryStream(_file));
        _frames = await PixelFrames.ReadAsync(file.Dataset, file.TransferSyntax, ImagePixelModule.Read(file.Dataset), 1L << 30, CancellationToken.None);
        _image = FrameRenderer.Render(_frames.Frames[0], _frames.Module, null);
        _mask = new BlankMask(_frames.Module.Columns, _frames.Module.Rows);
        _regions = _detector.Detect(_image);
        foreach (var region in _regions) _mask.Add(region);
        _cleaning = new Deidentifier(new DeidentificationOptions { Irreversible = true, CleanPixelData = CleanPixelDataMode.On }, new InMemoryMappingStore(), null);
        _passThrough = new Deidentifier(new DeidentificationOptions { Irreversible = true }, new InMemoryMappingStore(), null);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _detector.Dispose();
        _recognizer.Dispose();
    }

    [Benchmark]
    public int Detection() => _detector.Detect(_image).Count;

    /// <summary>Reading every region the detector found in the frame.</summary>
    [Benchmark]
    public int Recognition() => _regions.Sum(region => _recognizer.Read(_image, region).Text.Length);

    [Benchmark]
    public int Blanking()
    {
        var frame = (byte[])_frames.Frames[0].Clone();
        FrameBlanker.Blank(frame, _frames.Module, _mask, null);
        return frame[0];
    }

    [Benchmark]
    public async Task<bool> CleanOneFrameFile()
    {
        using var file = await DicomFile.OpenAsync(new MemoryStream(_file, writable: false));
        return (await _cleaner.CleanAsync(file)).Cleaned;
    }

    [Benchmark]
    public Task<long> DeidentifyWithCleanPixelData() => DeidentifyAsync(_cleaning);

    [Benchmark(Baseline = true)]
    public Task<long> DeidentifyPassThrough() => DeidentifyAsync(_passThrough);

    private async Task<long> DeidentifyAsync(Deidentifier deidentifier)
    {
        using var file = await DicomFile.OpenAsync(new MemoryStream(_file, writable: false));
        await deidentifier.DeidentifyAsync(file);
        var output = new CountingStream();
        await file.SaveAsync(output);
        return output.Length;
    }
}
