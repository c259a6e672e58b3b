using BenchmarkDotNet.Running;
using Sortie.Rfb.Benchmarks;

// `--check`: run each benchmark once and print how many bytes it forwarded (a sanity check of the setup).
if (args is ["--check"])
{
    var b = new FilterBenchmarks();
    b.Setup();
    Console.WriteLine($"server filter forwarded {b.ServerFilter()} of {FilterBenchmarks.StreamBytes} bytes");
    Console.WriteLine($"client filter (full) forwarded {b.ClientFilterFull()} bytes");
    Console.WriteLine($"client filter (view-only) forwarded {b.ClientFilterViewOnly()} bytes");
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(FilterBenchmarks).Assembly).Run(args);
