using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace CloudAnon.Network.Stow;

/// <summary>
/// Checks the bearer token of a STOW-RS request against the issuer's OpenID configuration (fetched, cached and refreshed
/// by IdentityModel's configuration manager): signature by one of its keys, its issuer, the audience, the lifetime.
/// </summary>
internal sealed class BearerTokenValidator
{
    private readonly BearerTokenRequirement _requirement;
    private readonly ConfigurationManager<OpenIdConnectConfiguration> _configuration;
    private readonly JsonWebTokenHandler _handler = new();

    public BearerTokenValidator(BearerTokenRequirement requirement)
    {
        _requirement = requirement;
        var metadata = new Uri(requirement.Authority.AbsoluteUri.TrimEnd('/') + "/.well-known/openid-configuration");
        _configuration = new ConfigurationManager<OpenIdConnectConfiguration>(
            metadata.AbsoluteUri,
            new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever { RequireHttps = !requirement.Authority.IsLoopback });
    }

    /// <summary>The token's failure in a fixed word (for the log and the WWW-Authenticate header), or null when valid.</summary>
    public async Task<string?> ValidateAsync(string? authorization, CancellationToken cancellationToken)
    {
        const string scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return "missing-token";

        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = await _configuration.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            return "issuer-configuration-unavailable";
        }

        var result = await _handler.ValidateTokenAsync(authorization[scheme.Length..].Trim(), new TokenValidationParameters
        {
            ValidIssuer = configuration.Issuer,
            ValidAudience = _requirement.Audience,
            IssuerSigningKeys = configuration.SigningKeys,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
        }).ConfigureAwait(false);
        if (result.IsValid) return null;

        // A key rolled over at the issuer: look again at its configuration (at most every five minutes).
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException) _configuration.RequestRefresh();
        return "invalid-token";
    }
}
