using CloudAnon.Core.Audit.Report;
using CloudAnon.Dicom;

namespace CloudAnon.Cli.Report;

/// <summary>
/// The output folder of a <c>cloudanon -e</c> run, searched for an instance by its de-identified SOP Instance UID: first
/// by name (<c>--rename-by-uid</c> writes <c>Study/Series/SOP.dcm</c>), then by reading the header of every other file
/// once (outputs that kept their input names). Names found there are never shown: they may be the patient's.
/// </summary>
internal sealed class EgressFolder(string? directory) : IDeidentifiedOutputs
{
    private Dictionary<string, string>? _bySopUid;

    public async Task<Stream?> OpenAsync(string studyInstanceUid, PixelCleanedInstance instance, CancellationToken cancellationToken)
    {
        if (directory is null) return null;
        if (DicomUid.TryGetInstancePath(studyInstanceUid, instance.SeriesInstanceUid, instance.SopInstanceUid, out var path)
            && File.Exists(Path.Combine(directory, path)))
        {
            return File.OpenRead(Path.Combine(directory, path));
        }
        _bySopUid ??= await IndexAsync(directory, cancellationToken);
        return _bySopUid.TryGetValue(instance.SopInstanceUid, out var found) ? File.OpenRead(found) : null;
    }

    /// <summary>SOP Instance UID → file, for every readable DICOM file under the folder; other files are passed over.</summary>
    private static async Task<Dictionary<string, string>> IndexAsync(string directory, CancellationToken cancellationToken)
    {
        var index = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            try
            {
                await using var stream = File.OpenRead(path);
                using var file = await DicomFile.OpenAsync(stream, cancellationToken: cancellationToken);
                if (file.Dataset.GetAsciiString(DicomTag.SopInstanceUid) is { } uid) index.TryAdd(uid, path);
            }
            catch (DicomFormatException)
            {
                // Not DICOM: not an output.
            }
        }
        return index;
    }
}
