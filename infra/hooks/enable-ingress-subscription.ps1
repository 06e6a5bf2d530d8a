# postdeploy: after the first deployment the blob extension's webhook exists: turn the Event Grid subscription on and
# provision it. The preprovision hook turns the setting off again once the function app is gone (`azd down`).
$ErrorActionPreference = 'Stop'
$enabled = azd env get-value CLOUDANON_INGRESS_SUBSCRIPTION_ENABLED 2>$null
if ($LASTEXITCODE -eq 0 -and "$enabled".Trim() -eq 'true') { exit 0 }
azd env set CLOUDANON_INGRESS_SUBSCRIPTION_ENABLED true
azd provision --no-prompt
if ($LASTEXITCODE -ne 0) { throw 'azd provision failed.' }
