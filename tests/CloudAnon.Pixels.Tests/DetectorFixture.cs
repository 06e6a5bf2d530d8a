using CloudAnon.Pixels.Detection;

namespace CloudAnon.Pixels.Tests;

/// <summary>One ONNX detector and recogniser (the models copied into the test output from node_modules) shared by every test.</summary>
public sealed class DetectorFixture : IDisposable
{
    public OnnxTextDetector Detector { get; } = OnnxTextDetector.Open(threads: 2);

    public OnnxTextRecognizer Recognizer { get; } = OnnxTextRecognizer.Open(threads: 2);

    public void Dispose()
    {
        Detector.Dispose();
        Recognizer.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class DetectorCollection : ICollectionFixture<DetectorFixture>
{
    public const string Name = "text detector";
}
