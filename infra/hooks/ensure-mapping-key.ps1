# postprovision: creates the mapping HMAC key (base64 of 32 random bytes) in Key Vault once, if the secret does not
# exist, and never replaces one that does: replacing it would change every pseudonym, and warm instances would keep
# writing with the old key. The value goes from this machine's random generator to the vault through ARM; it is not a
# deployment parameter and is not written to the azd environment (.azure/<env>/.env).
# Roles on the secret can only be assigned once it exists, so a provision follows the first time the secret is seen.
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'arm.ps1')

$vaultId = Get-AzdValue AZURE_KEY_VAULT_ID
$secretName = Get-AzdValue CLOUDANON_MAPPING_KEY_SECRET_NAME
if (-not $vaultId -or -not $secretName) { throw 'AZURE_KEY_VAULT_ID or CLOUDANON_MAPPING_KEY_SECRET_NAME is not set: provision first.' }
$secretId = "$vaultId/secrets/$secretName"

if (Test-ArmResource $secretId '2023-07-01') {
    Write-Output "Mapping key secret $secretName exists; kept."
} else {
    $key = [byte[]]::new(32)
    [Security.Cryptography.RandomNumberGenerator]::Fill($key)
    $body = New-TemporaryFile
    try {
        @{ properties = @{ value = [Convert]::ToBase64String($key); contentType = 'application/octet-stream; encoding=base64' } } |
            ConvertTo-Json -Compress | Set-Content -Path $body -NoNewline
        az rest --method put --url "$secretId`?api-version=2023-07-01" --body "@$body" --output none
        if ($LASTEXITCODE -ne 0) { throw "Creating the mapping key secret $secretName failed." }
    } finally {
        Remove-Item $body -Force
    }
    Write-Output "Created mapping key secret $secretName. Changing it later changes every pseudonym."
}

if ((Get-AzdValue CLOUDANON_MAPPING_KEY_SECRET_EXISTS) -ne 'true') {
    azd env set CLOUDANON_MAPPING_KEY_SECRET_EXISTS true
    azd provision --no-prompt
    if ($LASTEXITCODE -ne 0) { throw 'azd provision failed.' }
}
