namespace CloudAnon.Network.Pdu;

/// <summary>The PDU types of the DICOM Upper Layer (PS3.8 9.3).</summary>
internal enum PduType : byte
{
    AssociateRequest = 0x01,
    AssociateAccept = 0x02,
    AssociateReject = 0x03,
    DataTransfer = 0x04,
    ReleaseRequest = 0x05,
    ReleaseResponse = 0x06,
    Abort = 0x07,
}

/// <summary>A-ABORT reasons when the service provider (this gateway) aborts (PS3.8 9.3.8).</summary>
internal enum AbortReason : byte
{
    NotSpecified = 0,
    UnrecognizedPdu = 1,
    UnexpectedPdu = 2,
    UnrecognizedPduParameter = 4,
    UnexpectedPduParameter = 5,
    InvalidPduParameterValue = 6,
}

/// <summary>A-ASSOCIATE-RJ result, source and reason (PS3.8 9.3.4).</summary>
internal readonly record struct RejectReason(byte Result, byte Source, byte Reason)
{
    private const byte Permanent = 1, Transient = 2;
    private const byte ServiceUser = 1, ServiceProviderAcse = 2, ServiceProviderPresentation = 3;

    public static readonly RejectReason NoReasonGiven = new(Permanent, ServiceUser, 1);
    public static readonly RejectReason ApplicationContextNotSupported = new(Permanent, ServiceUser, 2);
    public static readonly RejectReason CallingAeNotRecognized = new(Permanent, ServiceUser, 3);
    public static readonly RejectReason CalledAeNotRecognized = new(Permanent, ServiceUser, 7);
    public static readonly RejectReason ProtocolVersionNotSupported = new(Permanent, ServiceProviderAcse, 2);
    public static readonly RejectReason TemporaryCongestion = new(Transient, ServiceProviderPresentation, 1);
    public static readonly RejectReason LocalLimitExceeded = new(Transient, ServiceProviderPresentation, 2);

    /// <summary>A fixed word for logs and metrics.</summary>
    public string Name => this switch
    {
        _ when this == CallingAeNotRecognized => "calling-ae-not-recognized",
        _ when this == CalledAeNotRecognized => "called-ae-not-recognized",
        _ when this == ApplicationContextNotSupported => "application-context-not-supported",
        _ when this == ProtocolVersionNotSupported => "protocol-version-not-supported",
        _ when this == LocalLimitExceeded => "local-limit-exceeded",
        _ when this == TemporaryCongestion => "temporary-congestion",
        _ => "no-acceptable-presentation-context",
    };
}
