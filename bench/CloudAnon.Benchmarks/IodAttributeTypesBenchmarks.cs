using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using CloudAnon.Core.Profile;
using CloudAnon.Dicom;

namespace CloudAnon.Benchmarks;

/// <summary>
/// The cost of one IOD attribute type lookup (the engine asks for each element it has to choose an action for): by
/// SOP Class UID each time, or on a table resolved once per data set; at the top level, two sequences deep, and for
/// an attribute the IOD does not have. The set-up prints the first-use cost (loading the table and building CT's).
/// </summary>
[ShortRunJob]
public class IodAttributeTypesBenchmarks
{
    private const string CtImageStorage = "1.2.840.10008.5.1.4.1.1.2";
    private static readonly DicomTag PatientName = new(0x0010, 0x0010);
    private static readonly DicomTag CodeValue = new(0x0008, 0x0100);
    private static readonly DicomTag[] OperatorCodePath = [new(0x0008, 0x1072), new(0x0040, 0x1101)];
    private static readonly DicomTag NotInCt = new(0x0018, 0x9004);

    private IodAttributeTable _ct = null!;

    [GlobalSetup]
    public void Setup()
    {
        var firstUse = Stopwatch.StartNew();
        _ct = IodAttributeTypes.ForSopClass(CtImageStorage);
        Console.WriteLine($"// First use (load the table, build CT Image's): {firstUse.Elapsed.TotalMilliseconds:F1} ms");
    }

    [Benchmark]
    public AttributeType? BySopClassTopLevel() => IodAttributeTypes.TypeOf(CtImageStorage, [], PatientName);

    [Benchmark]
    public AttributeType? ResolvedTopLevel() => _ct.TypeOf([], PatientName);

    [Benchmark]
    public AttributeType? ResolvedTwoSequencesDeep() => _ct.TypeOf(OperatorCodePath, CodeValue);

    [Benchmark]
    public AttributeType? ResolvedAbsent() => _ct.TypeOf([], NotInCt);
}
