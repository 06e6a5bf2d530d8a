using System.Net;
using CloudAnon.Dicom;
using CloudAnon.Network.Pdu;

namespace CloudAnon.Network;

/// <summary>
/// Decides an A-ASSOCIATE-RQ (PS3.8 7.1, PS3.7 D.3): protocol version, application context, called and calling AE, then
/// each presentation context — Verification and the storage SOP classes, with the requester's first proposed transfer
/// syntax that the codec reads (so data sets arrive as the sender holds them).
/// </summary>
internal sealed class AssociationNegotiator(DicomServerOptions options)
{
    public const string DicomApplicationContext = "1.2.840.10008.3.1.1.1";

    /// <summary>Either a reject reason, or the answers for every proposed context (at least one accepted).</summary>
    public (RejectReason? Reject, IReadOnlyList<ContextAnswer> Answers) Negotiate(AssociateRequest request, IPAddress remote)
    {
        if ((request.ProtocolVersion & 1) == 0) return (RejectReason.ProtocolVersionNotSupported, []);
        if (request.ApplicationContext != DicomApplicationContext) return (RejectReason.ApplicationContextNotSupported, []);
        if (request.CalledAe != options.AeTitle) return (RejectReason.CalledAeNotRecognized, []);
        if (!IsCallerAllowed(request.CallingAe, remote)) return (RejectReason.CallingAeNotRecognized, []);

        var answers = request.Contexts.Select(Answer).ToList();
        return answers.Any(a => a.Result == ContextResult.Acceptance) ? (null, answers) : (RejectReason.NoReasonGiven, answers);
    }

    private bool IsCallerAllowed(string callingAe, IPAddress remote) =>
        options.CallingAes.Count == 0 ? IPAddress.IsLoopback(remote) : options.CallingAes.Any(rule => rule.Matches(callingAe, remote));

    private static ContextAnswer Answer(ProposedContext context)
    {
        if (context.AbstractSyntax != StorageSopClasses.Verification && !StorageSopClasses.IsStorage(context.AbstractSyntax))
        {
            return new ContextAnswer(context.Id, ContextResult.AbstractSyntaxNotSupported, context.AbstractSyntax, null);
        }

        foreach (var uid in context.TransferSyntaxes)
        {
            if (IsReadable(uid, out var syntax)) return new ContextAnswer(context.Id, ContextResult.Acceptance, context.AbstractSyntax, syntax);
        }

        return new ContextAnswer(context.Id, ContextResult.TransferSyntaxesNotSupported, context.AbstractSyntax, null);
    }

    /// <summary>A transfer syntax the codec reads; the retired MIME and XML encodings are not binary data sets.</summary>
    internal static bool IsReadable(string uid, out TransferSyntax syntax) =>
        TransferSyntax.TryGetKnown(uid, out syntax) && !uid.StartsWith("1.2.840.10008.1.2.6.", StringComparison.Ordinal);
}
