using System.Text.Json;
using CloudAnon.Network.Storage;

namespace CloudAnon.Network.Stow;

/// <summary>What became of one part of a STOW-RS request; the UIDs are null when the part's header could not be read.</summary>
internal readonly record struct PartResult(string? SopClassUid, string? SopInstanceUid, ushort FailureReason)
{
    public bool Stored => FailureReason == 0;
}

/// <summary>
/// The Store Instances Response (PS3.18 10.5.3) in the DICOM JSON Model (PS3.18 F.2): a Referenced SOP Sequence
/// (0008,1199) for the stored instances and a Failed SOP Sequence (0008,1198) with a Failure Reason (0008,1197) for the
/// rest. No Retrieve URL: the gateway offers no retrieve service, and the instance leaves ingress once de-identified.
/// </summary>
internal static class StowResponse
{
    public const string MediaType = "application/dicom+json";

    /// <summary>PS3.18 failure reasons (the C-STORE statuses of PS3.4 B.2.3, and 0xA900 for another study's instance).</summary>
    public const ushort ProcessingFailure = 0x0110;
    public const ushort SopClassNotSupported = 0x0122;
    public const ushort OutOfResources = 0xA700;
    public const ushort StudyMismatch = 0xA900;
    public const ushort CannotUnderstand = 0xC000;
    public const ushort TransferSyntaxNotSupported = 0xC122;

    public static ushort FailureReason(StoreOutcome outcome) => outcome switch
    {
        StoreOutcome.Stored or StoreOutcome.AlreadyStored => 0,
        StoreOutcome.Malformed => CannotUnderstand,
        StoreOutcome.StudyMismatch => StudyMismatch,
        _ => OutOfResources,
    };

    /// <summary>200 all stored, 202 some, 409 none; 503 when none was stored because storage could not be reached.</summary>
    public static int HttpStatus(IReadOnlyList<PartResult> parts) =>
        parts.All(p => p.Stored) ? 200
        : parts.Any(p => p.Stored) ? 202
        : parts.All(p => p.FailureReason == OutOfResources) ? 503
        : 409;

    public static async Task WriteAsync(Stream output, IReadOnlyList<PartResult> parts, CancellationToken cancellationToken)
    {
        await using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        WriteSequence(json, "00081198", parts.Where(p => !p.Stored));
        WriteSequence(json, "00081199", parts.Where(p => p.Stored));
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void WriteSequence(Utf8JsonWriter json, string tag, IEnumerable<PartResult> parts)
    {
        var items = parts.ToList();
        if (items.Count == 0) return;
        json.WriteStartObject(tag);
        json.WriteString("vr", "SQ");
        json.WriteStartArray("Value");
        foreach (var part in items)
        {
            json.WriteStartObject();
            WriteUid(json, "00081150", part.SopClassUid);
            WriteUid(json, "00081155", part.SopInstanceUid);
            if (!part.Stored)
            {
                json.WriteStartObject("00081197");
                json.WriteString("vr", "US");
                json.WriteStartArray("Value");
                json.WriteNumberValue(part.FailureReason);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteUid(Utf8JsonWriter json, string tag, string? uid)
    {
        if (uid is null) return;
        json.WriteStartObject(tag);
        json.WriteString("vr", "UI");
        json.WriteStartArray("Value");
        json.WriteStringValue(uid);
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
