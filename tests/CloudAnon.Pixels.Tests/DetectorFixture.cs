using CloudAnon.Pixels.Detection;

namespace CloudAnon.Pixels.Tests;

/// <summary>One ONNX detector (the model copied into the test output from node_modules) shared by every test.</summary>
public sealed class DetectorFixture : IDisposable
{
    public OnnxTextDetector Detector { get; } = OnnxTextDetector.Open(threads: 2);

    public void Dispose() => Detector.Dispose();
}

[CollectionDefinition(Name)]
public sealed class DetectorCollection : ICollectionFixture<DetectorFixture>
{
    public const string Name = "text detector";
}
