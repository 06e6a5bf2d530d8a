namespace CloudAnon.Dicom;

/// <summary>Limits for <see cref="DicomReader"/>. The zero value means the safe defaults, as JsonReaderOptions does.</summary>
public readonly record struct DicomReaderOptions
{
    public const int DefaultMaxDepth = 64;
    public const int DefaultBulkDataThreshold = 64 * 1024;

    private readonly int _maxDepth;
    private readonly int _bulkDataThreshold;

    /// <summary>Deepest sequence nesting accepted (each sequence and each item counts one level); 0 means 64.</summary>
    public int MaxDepth
    {
        get => _maxDepth == 0 ? DefaultMaxDepth : _maxDepth;
        init => _maxDepth = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    /// <summary>Values longer than this are not handed over whole but as chunks; 0 means 64 KiB.</summary>
    public int BulkDataThreshold
    {
        get => _bulkDataThreshold == 0 ? DefaultBulkDataThreshold : _bulkDataThreshold;
        init => _bulkDataThreshold = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }
}
