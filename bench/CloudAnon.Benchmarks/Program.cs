using BenchmarkDotNet.Running;

// Run by hand, e.g.: dotnet run -c Release --project bench/CloudAnon.Benchmarks -- --filter '*Codec*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
