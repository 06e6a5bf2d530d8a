# Dot-sourced by the hooks: a look-up through Azure Resource Manager (control plane), so it works with the storage and
# Key Vault firewalls closed and needs no data-plane role.

# Test-ArmResource ID API_VERSION: $true when the resource exists, $false when ARM answers Not Found (the resource, its
# parent or its resource group), and stops the hook on any other failure (signed out, no permission, network): a
# look-up that failed must never be read as "absent", or a hook would replace what exists.
function Test-ArmResource([string] $Id, [string] $ApiVersion) {
    $armError = az rest --method get --url "$Id`?api-version=$ApiVersion" --output none 2>&1
    if ($LASTEXITCODE -eq 0) { return $true }
    if ("$armError" -match 'NotFound|Not Found') { return $false }
    throw "Could not look up ${Id}: $armError"
}

# Get-AzdValue NAME: the azd environment's value, empty when unset.
function Get-AzdValue([string] $Name) {
    $value = azd env get-value $Name 2>$null
    if ($LASTEXITCODE -ne 0) { return '' }
    return "$value".Trim()
}
