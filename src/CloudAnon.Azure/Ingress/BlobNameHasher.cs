using System.Security.Cryptography;
using System.Text;

namespace CloudAnon.Azure.Ingress;

/// <summary>
/// Keyed hashes of ingress blob names (HMAC-SHA256 under <see cref="IngressProcessorOptions.BlobNameHashKey"/>): a short key
/// that correlates log entries, and the quarantine name of a version. Names are PHI-prone; their hashes are not.
/// </summary>
internal sealed class BlobNameHasher(byte[] key)
{
    /// <summary>16 hex digits: enough to tell blobs apart in logs without revealing the name.</summary>
    public string BlobKey(string blobName) => Hash(blobName)[..16];

    /// <summary>The same version of the same blob always lands on the same quarantine blob.</summary>
    public string QuarantineName(string blobName, string version) => Hash(blobName + "\n" + version);

    /// <summary>The ingress name of a SOP instance received by the gateway: every send of the instance lands on the same blob.</summary>
    public string InstanceName(string sopInstanceUid) => Hash("sop-instance\n" + sopInstanceUid) + ".dcm";

    private string Hash(string value) => Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(value)));
}
