using System.Diagnostics;
using CloudAnon.Dicom;
using CloudAnon.Pixels;
using CloudAnon.Pixels.Detection;

namespace CloudAnon.Benchmarks;

/// <summary>
/// Clean Pixel Data stage by stage on one core (detector and recogniser with one thread each): milliseconds a frame for
/// detection (one pass over the first rendering), recognition (every region that pass found), blanking (those regions)
/// and the whole file through the cleaner (every rendering, recognition, blanking, verification, encoding; every-image
/// candidates), in CPU and clock time, on corpus frames of 512 × 512 (CT: a real slice with no text, a GE spine CT looked at
/// by eye with dcmj2pnm, and SignedCT, an abdominal slice without text whose rib once read as "0"), 640 × 480 and 1024 × 768 (ultrasound) and 2048 × 2500 (cut from a
/// 2394 × 3062 mammogram for the stages; the whole file at its own size). Then what detection finds on small frames at
/// their own size and enlarged. Run: dotnet run -c Release --project bench/CloudAnon.Benchmarks -- pixel-stages
/// </summary>
internal static class PixelStages
{
    private const int WarmUp = 2, Runs = 10;

    private static readonly (string Name, string File, int Width, int Height)[] Frames =
    [
        ("512x512 CT, no text (a real slice)", "private/ge/GH1308_GE_CT_ADVAPP.dcm", 512, 512),
        ("512x512 CT, no text (SignedCT, a rib reads \"0\")", "modality/CT/SignedCT.dcm", 512, 512),
        ("640x480 US", "private/acuson/YBR_FULL-RLE_Acuson.dcm", 640, 480),
        ("1024x768 US", "private/kinetdx/JPGLosslessP14SV1_KINETDX_PhilipsUS.dcm", 1024, 768),
        ("2048x2500 MG (cut from 2394 × 3062)", "modality/MG/GH133_GE_Senographe_MG.dcm", 2048, 2500),
    ];

    private static readonly string[] SmallFrames =
    [
        "modality/MR/MR_16frame_legacy_multiframe.dcm", "modality/US_multiframe/examples_ybr_color_30frames.dcm",
        "modality/DX/dx_image.dcm", "modality/CT/CT_small_GE.dcm", "modality/CT/SignedCT.dcm", "private/ge/GH1308_GE_CT_ADVAPP.dcm",
        "modality/RF/KarstenHilbertRF.dcm",
    ];

    public static async Task<int> RunAsync()
    {
        Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");
        using var detector = OnnxTextDetector.Open(threads: 1);
        using var recognizer = OnnxTextRecognizer.Open(threads: 1);
        var cleaner = new PixelCleaner(detector, recognizer, new PixelCleanerOptions { CandidateRule = new CandidateRule { EveryImage = true } });

        Console.WriteLine("| frame | regions found | detection CPU / clock ms | recognition CPU / clock ms | blanking CPU / clock ms | whole file through the cleaner CPU / clock ms | outcome |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        var targets = new List<string>();
        foreach (var (name, relativePath, width, height) in Frames)
        {
            byte[] bytes = await File.ReadAllBytesAsync(Corpus.Get(relativePath).FullPath);
            var (frame, module) = await FirstFrameAsync(bytes);
            var image = Cut(FrameRenderer.Render(frame, module, null), width, height);
            if (module.Columns != width || module.Rows != height) (frame, module) = (new byte[width * height * module.BytesPerSample * module.SamplesPerPixel], module with { Columns = width, Rows = height });
            var regions = detector.Detect(image);
            var mask = new BlankMask(width, height);
            foreach (var region in regions) mask.Add(region);

            string detection = Measure(() => detector.Detect(image).Count);
            string recognition = Measure(() => regions.Sum(region => recognizer.Read(image, region).Text.Length));
            string blanking = Measure(() =>
            {
                FrameBlanker.Blank(frame, module, mask, null);
                return frame[0];
            });
            var result = await CleanAsync(cleaner, bytes);
            string outcome = $"{result.Outcome}: {result.TextRegionsFound} lines, {result.TextureRegions} texture, {result.UnreadRegions} unread inside the fixed area";
            string whole = Measure(() => CleanAsync(cleaner, bytes).GetAwaiter().GetResult().TextRegionsFound);
            Console.WriteLine($"| {name} | {regions.Count} | {detection} | {recognition} | {blanking} | {whole} | {outcome} |");
            targets.Add($"{name}: whole file {whole} ms CPU / clock");
        }
        Console.WriteLine();
        Console.WriteLine("Targets: the 640x480 US file under 200 ms on one core; the 512x512 CT without text under 40 ms (every-image):");
        foreach (string line in targets) Console.WriteLine("  " + line);

        Console.WriteLine();
        Console.WriteLine($"| small frame | size | own size: regions / lines read / texture | enlarged to a long side of {DetectionScales.First}: regions / lines read / texture | detection of the first rendering, CPU ms own / enlarged |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (string relativePath in SmallFrames)
        {
            byte[] bytes = await File.ReadAllBytesAsync(Corpus.Get(relativePath).FullPath);
            var (frame, module) = await FirstFrameAsync(bytes);
            var image = FrameRenderer.Render(frame, module, null);
            var columns = new List<string>();
            var times = new List<string>();
            foreach (int side in new[] { 0, DetectionScales.First })
            {
                var scaled = new ScaledDetector(detector, side);
                var found = await SearchAsync(scaled, recognizer, bytes);
                columns.Add($"{scaled.Regions} / {found.Texts.Count} / {found.TextureRegions}");
                times.Add(Measure(() => detector.Detect(image, side).Count).Split(" / ")[0]);
            }
            Console.WriteLine($"| {relativePath} | {module.Columns} × {module.Rows} | {columns[0]} | {columns[1]} | {times[0]} / {times[1]} |");
        }
        Console.WriteLine($"load average at end: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }

    /// <summary>What the cleaner's search finds and reads in a file (every rendering and sampled frame).</summary>
    private static async Task<TextSearchResult> SearchAsync(ITextDetector detector, ITextRecognizer recognizer, byte[] bytes)
    {
        var (frames, palette) = await DecodedFile.ReadAsync(bytes);
        return new TextSearch(detector, recognizer, Stopwatch.StartNew(), TimeSpan.FromMinutes(5)).Find(frames, palette);
    }

    private static async Task<(byte[] Frame, ImagePixelModule Module)> FirstFrameAsync(byte[] bytes)
    {
        var frames = (await DecodedFile.ReadAsync(bytes)).Frames;
        return (frames.Frames[0], frames.Module);
    }

    /// <summary>The top-left <paramref name="width"/> × <paramref name="height"/> of the image.</summary>
    private static RgbImage Cut(RgbImage image, int width, int height)
    {
        if (image.Width == width && image.Height == height) return image;
        var pixels = new byte[width * height * 3];
        for (int y = 0; y < height; y++) image.Pixels.AsSpan(y * image.Width * 3, width * 3).CopyTo(pixels.AsSpan(y * width * 3));
        return new RgbImage(width, height, pixels);
    }

    private static async Task<PixelCleaningResult> CleanAsync(PixelCleaner cleaner, byte[] bytes)
    {
        using var file = await DicomFile.OpenAsync(new MemoryStream(bytes, writable: false));
        return await cleaner.CleanAsync(file);
    }

    /// <summary>CPU and clock milliseconds a run, after warm-up.</summary>
    private static string Measure(Func<int> run)
    {
        for (int i = 0; i < WarmUp; i++) run();
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < Runs; i++) run();
        process.Refresh();
        return $"{(process.TotalProcessorTime - cpuBefore).TotalMilliseconds / Runs:0.0} / {clock.Elapsed.TotalMilliseconds / Runs:0.0}";
    }
}
