using System.Diagnostics;
using System.Text.Json;
using CloudAnon.Core;
using CloudAnon.Core.Mapping;
using CloudAnon.Core.Profile;
using CloudAnon.Dicom;
using CloudAnon.Pixels;
using CloudAnon.Pixels.Detection;

namespace CloudAnon.Benchmarks;

/// <summary>
/// Clean Pixel Data on a public evaluation set with per-box ground truth (a folder of DICOM files, each with a JSON file
/// beside it listing its burned-in text as {key, value} pairs of {text, bbox [x1, y1, x2, y2]}; the layout of
/// JohnSnowLabs/dicom-deid-dataset, whose 445 files are kept out of the project's tests). Every file goes through the
/// engine (irreversible, clean-pixel-data=on, every-image candidates, plus the options given), one at a time. Per frame
/// size it prints the outcomes, the PHI boxes (the values) blanked to at least 95% of their pixels, in part, or not at all,
/// the share of the image blanked outside every ground-truth box (key and value), and the CPU time a file. With --out the
/// outputs are written there (as 0001.dcm, … in the order read; the input names carry the synthetic PHI) with a
/// boxes.tsv for bench/public-set-ocr.py. Run: dotnet bench/CloudAnon.Benchmarks/bin/Release/net10.0/CloudAnon.Benchmarks.dll
/// pixel-public-set DIR [--option k=v,...] [--out DIR]
/// </summary>
internal static class PublicSet
{
    private const double Blanked = 0.95;

    public static async Task<int> RunAsync(string[] args)
    {
        string folder = args[0];
        string extra = Argument(args, "--option");
        string? output = Argument(args, "--out") is { Length: > 0 } o ? o : null;
        string optionList = "clean-pixel-data=on,pixel-candidates=every-image" + (extra.Length > 0 ? "," + extra : "");
        if (!ProfileOptionNames.TryApply(new DeidentificationOptions { Irreversible = true, AllowAlreadyDeidentified = true }, optionList, out var options)) return 2;
        var deidentifier = new Deidentifier(options, new InMemoryMappingStore(), null);
        if (output is not null) Directory.CreateDirectory(output);
        using var boxesFile = output is null ? null : new StreamWriter(Path.Combine(output, "boxes.tsv"));

        Console.WriteLine($"{optionList}; load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");
        var groups = new SortedDictionary<string, Group>();
        var files = Directory.GetFiles(folder, "*.dcm").Order(StringComparer.Ordinal).ToList();
        using var process = Process.GetCurrentProcess();
        for (int index = 0; index < files.Count; index++)
        {
            byte[] bytes = await File.ReadAllBytesAsync(files[index]);
            if (index == 0) await DeidentifyAsync(deidentifier, bytes); // models loaded, code jitted
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            using var file = await DicomFile.OpenAsync(new MemoryStream(bytes, writable: false));
            var module = ImagePixelModule.Read(file.Dataset);
            int rows = module.Rows, columns = module.Columns;
            var truth = GroundTruth.Read(Path.ChangeExtension(files[index], ".json"), columns, rows);
            var (outcome, cleaning) = await DeidentifyAsync(deidentifier, file);
            process.Refresh();
            double cpu = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds;

            string size = SizeClass(columns, rows);
            var group = groups.TryGetValue(size, out var g) ? g : groups[size] = new Group();
            group.Add(outcome, cpu);
            var mask = new BlankMask(columns, rows);
            foreach (var box in cleaning?.BlankedBoxes ?? []) mask.Add(box);
            if (cleaning?.BlankedOutside is { Count: > 0 } kept) mask.AddOutside(kept);
            var text = new BlankMask(columns, rows);
            foreach (var box in truth.Keys.Concat(truth.Values.Select(value => value.Box))) text.Add(box);
            long outside = 0;
            for (int y = 0; y < rows; y++) for (int x = 0; x < columns; x++) if (mask[x, y] && !text[x, y]) outside++;
            group.Outside.Add((double)outside / ((long)rows * columns));
            foreach (var (box, _) in truth.Values) group.AddBox(mask.Coverage(box));

            string name = $"{index + 1:0000}";
            if (output is not null)
            {
                if (outcome is "Cleaned" or "Examined")
                {
                    await using var stream = File.Create(Path.Combine(output, name + ".dcm"));
                    await file.SaveAsync(stream);
                }
                foreach (var (box, value) in truth.Values) boxesFile!.WriteLine($"{name}\t{files[index]}\t{outcome}\t{box.X}\t{box.Y}\t{box.Width}\t{box.Height}\t{mask.Coverage(box):0.000}\t{value}");
            }
        }

        Console.WriteLine("| frames | files | cleaned / examined / quarantined | PHI boxes | blanked ≥ 95% | in part | not at all | blanked outside the text boxes: mean / max of an image | files ≥ 5% outside | CPU ms a file (mean) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (size, group) in groups.Append(new("all", Group.Sum(groups.Values))))
        {
            Console.WriteLine($"| {size} | {group.Files} | {group.Cleaned} / {group.Examined} / {group.Quarantined} | {group.Boxes} | {group.Whole} ({Share(group.Whole, group.Boxes)}) | {group.Part} | {group.None} | {group.Outside.Average():0.00%} / {group.Outside.Max():0.0%} | {group.Outside.Count(share => share >= 0.05)} | {group.Cpu / group.Files:0} |");
        }
        Console.WriteLine($"load average at end: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }

    /// <summary>
    /// What each detection scale finds on the set's frames of 512 px and less: for each long side small frames are
    /// enlarged to, the PHI boxes that the lines read (first pass: every rendering, no verification) cover to 95%, and
    /// the CPU time of that search. Run: ... pixel-public-set-scales DIR
    /// </summary>
    public static async Task<int> ScalesAsync(string[] args)
    {
        int[] sides = [512, 640, 800, 1024];
        Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");
        using var detector = OnnxTextDetector.Open(threads: 1);
        using var recognizer = OnnxTextRecognizer.Open(threads: 1);
        var rows = new SortedDictionary<string, (int Files, int Boxes, int[] Whole, double[] Cpu)>();
        using var process = Process.GetCurrentProcess();
        var masks = new BlankMask[sides.Length];
        (int, int)[] pairs = [(1, 3), (1, 2), (0, 3), (0, 1)];
        var unionWhole = new Dictionary<(string, int, int), int>();
        var detectedWhole = new int[sides.Length];
        foreach (string path in Directory.GetFiles(args[0], "*.dcm").Order(StringComparer.Ordinal))
        {
            var (frames, palette) = await DecodedFile.ReadAsync(await File.ReadAllBytesAsync(path));
            var module = frames.Module;
            if (Math.Max(module.Columns, module.Rows) > 512) continue;
            var truth = GroundTruth.Read(Path.ChangeExtension(path, ".json"), module.Columns, module.Rows);
            string size = $"{module.Columns} × {module.Rows}";
            var row = rows.TryGetValue(size, out var r) ? r : (Files: 0, Boxes: 0, Whole: new int[sides.Length], Cpu: new double[sides.Length]);
            row.Files++;
            row.Boxes += truth.Values.Count;
            for (int s = 0; s < sides.Length; s++)
            {
                process.Refresh();
                var before = process.TotalProcessorTime;
                var texts = new TextSearch(new ScaledDetector(detector, sides[s]), recognizer, Stopwatch.StartNew(), TimeSpan.FromMinutes(5)).Find(frames, palette).Texts;
                process.Refresh();
                row.Cpu[s] += (process.TotalProcessorTime - before).TotalMilliseconds;
                var mask = new BlankMask(module.Columns, module.Rows);
                foreach (var text in texts) mask.Add(text.Box);
                row.Whole[s] += truth.Values.Count(value => mask.Coverage(value.Box) >= Blanked);
                masks[s] = mask;
                var detected = new BlankMask(module.Columns, module.Rows);
                foreach (var image in FrameRenderer.Renderings(frames.Frames[0], module, palette))
                {
                    foreach (var region in detector.Detect(image, sides[s])) detected.Add(TextRegions.WithoutMargin(region));
                }
                detectedWhole[s] += truth.Values.Count(value => detected.Coverage(value.Box) >= Blanked);
            }
            foreach (var (a, b) in pairs)
            {
                var union = new BlankMask(module.Columns, module.Rows);
                foreach (var region in masks[a].Regions.Concat(masks[b].Regions)) union.Add(region);
                unionWhole[(size, a, b)] = unionWhole.GetValueOrDefault((size, a, b)) + truth.Values.Count(value => union.Coverage(value.Box) >= Blanked);
            }
            rows[size] = row;
        }
        Console.WriteLine($"| frames | files | PHI boxes | covered ≥ 95% by the lines read, enlarged to {string.Join(" / ", sides)} | CPU ms a file (search) |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var (size, row) in rows)
        {
            Console.WriteLine($"| {size} | {row.Files} | {row.Boxes} | {string.Join(" / ", row.Whole.Select(w => $"{w} ({Share(w, row.Boxes)})"))} | {string.Join(" / ", row.Cpu.Select(c => $"{c / row.Files:0}"))} |");
            foreach (var (a, b) in pairs) Console.WriteLine($"  union of {sides[a]} and {sides[b]}: {unionWhole[(size, a, b)]} ({Share(unionWhole[(size, a, b)], row.Boxes)})");
        }
        Console.WriteLine($"covered ≥ 95% by every detected region, read or not: {string.Join(" / ", detectedWhole)}");
        Console.WriteLine($"load average at end: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }

    private static string Share(int part, int whole) => whole == 0 ? "-" : $"{(double)part / whole:0.0%}";

    private static string Argument(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : "";
    }

    private static string SizeClass(int columns, int rows) => Math.Max(columns, rows) switch
    {
        <= 256 => "≤ 256 px",
        <= 512 => "257–512 px",
        _ => "over 512 px",
    };

    private static async Task<(string Outcome, PixelCleaningResult? Cleaning)> DeidentifyAsync(Deidentifier deidentifier, byte[] bytes)
    {
        using var file = await DicomFile.OpenAsync(new MemoryStream(bytes, writable: false));
        return await DeidentifyAsync(deidentifier, file);
    }

    private static async Task<(string Outcome, PixelCleaningResult? Cleaning)> DeidentifyAsync(Deidentifier deidentifier, DicomFile file)
    {
        try
        {
            var result = await deidentifier.DeidentifyAsync(file);
            return (result.PixelCleaning?.Outcome.ToString() ?? "NotCandidate", result.PixelCleaning);
        }
        catch (DeidentificationException e)
        {
            return ("quarantined " + e.Failure, null);
        }
    }

    private sealed class Group
    {
        public int Files, Cleaned, Examined, Quarantined, Boxes, Whole, Part, None;
        public double Cpu;
        public List<double> Outside { get; } = [];

        public void Add(string outcome, double cpu)
        {
            Files++;
            Cpu += cpu;
            if (outcome == "Cleaned") Cleaned++;
            else if (outcome == "Examined") Examined++;
            else Quarantined++;
        }

        public void AddBox(double coverage)
        {
            Boxes++;
            if (coverage >= Blanked) Whole++;
            else if (coverage > 0) Part++;
            else None++;
        }

        public static Group Sum(IEnumerable<Group> groups)
        {
            var sum = new Group();
            foreach (var group in groups)
            {
                (sum.Files, sum.Cleaned, sum.Examined, sum.Quarantined) = (sum.Files + group.Files, sum.Cleaned + group.Cleaned, sum.Examined + group.Examined, sum.Quarantined + group.Quarantined);
                (sum.Boxes, sum.Whole, sum.Part, sum.None, sum.Cpu) = (sum.Boxes + group.Boxes, sum.Whole + group.Whole, sum.Part + group.Part, sum.None + group.None, sum.Cpu + group.Cpu);
                sum.Outside.AddRange(group.Outside);
            }
            return sum;
        }
    }

    /// <summary>
    /// The ground truth of one file: the boxes of the labels (keys) and of the values with their text, clipped to the
    /// image. Empty values and values drawn wholly outside the image (the generator cut lines off at the bottom) are left out.
    /// </summary>
    private sealed record GroundTruth(List<PixelRegion> Keys, List<(PixelRegion Box, string Text)> Values)
    {
        public static GroundTruth Read(string path, int columns, int rows)
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(path));
            var (keys, values) = (new List<PixelRegion>(), new List<(PixelRegion, string)>());
            foreach (var pair in json.RootElement.GetProperty("annotation").EnumerateArray())
            {
                if (pair.GetProperty("key").TryGetProperty("bbox", out _)) keys.Add(Box(pair.GetProperty("key"))); // some labels have no box
                var value = pair.GetProperty("value");
                string text = value.GetProperty("text").GetString() ?? "";
                var box = Box(value).ClipTo(columns, rows);
                if (text.Trim().Length > 0 && !box.IsEmpty) values.Add((box, text));
            }
            return new GroundTruth(keys, values);
        }

        private static PixelRegion Box(JsonElement item)
        {
            var b = item.GetProperty("bbox").EnumerateArray().Select(v => (int)Math.Round(v.GetDouble())).ToArray();
            return new PixelRegion(b[0], b[1], b[2] - b[0] + 1, b[3] - b[1] + 1); // the corners are pixels of the box
        }
    }
}
