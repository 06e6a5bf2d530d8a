# preprovision: tells the deployment what exists, so `azd up` works again after `azd down`.
# - A vault left soft-deleted by `azd down` (purge protection keeps it 90 days) is recovered: its name is taken until
#   then, and it holds the mapping key, which keeps pseudonyms consistent with earlier outputs.
# - CLOUDANON_MAPPING_KEY_SECRET_EXISTS: roles on the mapping key secret need the secret.
# - CLOUDANON_INGRESS_SUBSCRIPTION_ENABLED: the Event Grid subscription needs the deployed function's webhook key, so it
#   is off until the postdeploy hook turns it on, and off again once the function app is gone.
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'arm.ps1')

$vaultName = Get-AzdValue AZURE_KEY_VAULT_NAME
if ($vaultName) {
    az keyvault show-deleted --name $vaultName --output none 2>$null
    if ($LASTEXITCODE -eq 0) {
        az keyvault recover --name $vaultName --output none
        if ($LASTEXITCODE -ne 0) { throw "Recovering key vault $vaultName failed." }
        Write-Output "Recovered soft-deleted key vault $vaultName."
    }
}

$vaultId = Get-AzdValue AZURE_KEY_VAULT_ID
$secretName = Get-AzdValue CLOUDANON_MAPPING_KEY_SECRET_NAME
$secretExists = [bool]($vaultId -and $secretName -and (Test-ArmResource "$vaultId/secrets/$secretName" '2023-07-01'))
azd env set CLOUDANON_MAPPING_KEY_SECRET_EXISTS $secretExists.ToString().ToLowerInvariant()

$appName = Get-AzdValue AZURE_FUNCTION_APP_NAME
$appId = "/subscriptions/$(Get-AzdValue AZURE_SUBSCRIPTION_ID)/resourceGroups/$(Get-AzdValue AZURE_RESOURCE_GROUP)/providers/Microsoft.Web/sites/$appName"
if (-not $appName -or -not (Test-ArmResource $appId '2024-04-01')) {
    azd env set CLOUDANON_INGRESS_SUBSCRIPTION_ENABLED false
}
