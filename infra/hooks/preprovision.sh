#!/bin/sh
# preprovision: tells the deployment what exists, so `azd up` works again after `azd down`.
# - A vault left soft-deleted by `azd down` (purge protection keeps it 90 days) is recovered: its name is taken until
#   then, and it holds the mapping key, which keeps pseudonyms consistent with earlier outputs.
# - CLOUDANON_MAPPING_KEY_SECRET_EXISTS: roles on the mapping key secret need the secret.
# - CLOUDANON_INGRESS_SUBSCRIPTION_ENABLED: the Event Grid subscription needs the deployed function's webhook key, so it
#   is off until the postdeploy hook turns it on, and off again once the function app is gone.
set -eu
. "$(dirname "$0")/arm.sh"

vault_name=$(azd_value AZURE_KEY_VAULT_NAME)
if [ -n "$vault_name" ] && az keyvault show-deleted --name "$vault_name" --output none 2>/dev/null; then
  az keyvault recover --name "$vault_name" --output none
  echo "Recovered soft-deleted key vault $vault_name."
fi

secret_exists=false
vault_id=$(azd_value AZURE_KEY_VAULT_ID)
secret_name=$(azd_value CLOUDANON_MAPPING_KEY_SECRET_NAME)
if [ -n "$vault_id" ] && [ -n "$secret_name" ] && arm_exists "$vault_id/secrets/$secret_name" 2023-07-01; then
  secret_exists=true
fi
azd env set CLOUDANON_MAPPING_KEY_SECRET_EXISTS "$secret_exists"

app_name=$(azd_value AZURE_FUNCTION_APP_NAME)
subscription_id=$(azd_value AZURE_SUBSCRIPTION_ID)
resource_group=$(azd_value AZURE_RESOURCE_GROUP)
if [ -z "$app_name" ] || ! arm_exists "/subscriptions/$subscription_id/resourceGroups/$resource_group/providers/Microsoft.Web/sites/$app_name" 2024-04-01; then
  azd env set CLOUDANON_INGRESS_SUBSCRIPTION_ENABLED false
fi
