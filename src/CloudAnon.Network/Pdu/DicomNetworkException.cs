namespace CloudAnon.Network.Pdu;

/// <summary>
/// The peer broke the Upper Layer or DIMSE protocol: the association is aborted with <see cref="Reason"/>. The message is
/// fixed text with PDU types, item types, lengths and offsets only, never bytes of a value.
/// </summary>
public sealed class DicomNetworkException : Exception
{
    internal DicomNetworkException(string message, AbortReason reason = AbortReason.InvalidPduParameterValue) : base(message) => Reason = reason;

    internal AbortReason Reason { get; }
}
