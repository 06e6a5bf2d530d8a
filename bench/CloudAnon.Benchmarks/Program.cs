using BenchmarkDotNet.Running;

// Run by hand, e.g.: dotnet run -c Release --project bench/CloudAnon.Benchmarks -- --filter '*Codec*'
// The pipeline measurements (1 GiB blob, round trips) are a console mode: ... -- pipeline large-blob|round-trips
// Clean Pixel Data in CPU time as well as clock time (for a shared machine): ... -- pixel-cpu-time
if (args is ["pipeline", .. var rest]) return await CloudAnon.Benchmarks.Pipeline.PipelineBenchmark.RunAsync(rest);
if (args is ["pixel-cpu-time"]) return await CloudAnon.Benchmarks.PixelCpuTime.RunAsync();
// The engine benchmarks in CPU time as well as clock time (for before/after comparisons on a shared machine): ... -- engine-cpu-time [runs]
// (bench/compare-engine.sh runs it against the engine at aa3f896 in alternating rounds)
if (args is ["engine-cpu-time"]) return await CloudAnon.Benchmarks.EngineCpuTime.RunAsync();
if (args is ["engine-cpu-time", var runs]) return await CloudAnon.Benchmarks.EngineCpuTime.RunAsync(int.Parse(runs));
// Clean Pixel Data stage by stage at four frame sizes, and what each detection scale finds: ... -- pixel-stages
if (args is ["pixel-stages"]) return await CloudAnon.Benchmarks.PixelStages.RunAsync();
// Files a second through the engine with Clean Pixel Data on (US cine, CT every-image, CR): ... -- pixel-files
if (args is ["pixel-files"]) return await CloudAnon.Benchmarks.PixelFiles.RunAsync();
// Clean Pixel Data on a public evaluation set with per-box ground truth: ... -- pixel-public-set DIR [--option k=v,...] [--out DIR]
if (args is ["pixel-public-set-scales", var scalesSet]) return await CloudAnon.Benchmarks.PublicSet.ScalesAsync([scalesSet]);
if (args is ["pixel-public-set", .. var publicSet]) return await CloudAnon.Benchmarks.PublicSet.RunAsync(publicSet);
// Whether detection at a smaller side first would miss text the full pass reads: ... -- pixel-screen DIR-or-corpus-path...
if (args is ["pixel-screen", .. var screened]) return await CloudAnon.Benchmarks.PixelScreen.RunAsync(screened);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
