namespace CloudAnon.Core.Audit;

/// <summary>
/// An audit record and the opaque name it is stored under: its file name without .json in an --audit folder, its row key
/// in the audit table (the de-identified SOP Instance UID, or a refused file's quarantine name). Never an input name.
/// </summary>
public readonly record struct NamedAuditRecord(string Name, AuditRecord Record);
