#!/bin/sh
# postprovision: creates the mapping HMAC key (base64 of 32 random bytes) in Key Vault once, if the secret does not
# exist, and never replaces one that does: replacing it would change every pseudonym, and warm instances would keep
# writing with the old key. The value goes from this machine's random generator to the vault through ARM; it is not a
# deployment parameter and is not written to the azd environment (.azure/<env>/.env).
# Roles on the secret can only be assigned once it exists, so a provision follows the first time the secret is seen.
set -eu
. "$(dirname "$0")/arm.sh"

vault_id=$(azd_value AZURE_KEY_VAULT_ID)
secret_name=$(azd_value CLOUDANON_MAPPING_KEY_SECRET_NAME)
[ -n "$vault_id" ] && [ -n "$secret_name" ] || { echo "AZURE_KEY_VAULT_ID or CLOUDANON_MAPPING_KEY_SECRET_NAME is not set: provision first." >&2; exit 1; }
secret_id="$vault_id/secrets/$secret_name"

if arm_exists "$secret_id" 2023-07-01; then
  echo "Mapping key secret $secret_name exists; kept."
else
  work=$(umask 077 && mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (umask 077 && printf '{"properties":{"value":"%s","contentType":"application/octet-stream; encoding=base64"}}' \
    "$(openssl rand -base64 32)" > "$work/secret.json")
  az rest --method put --url "$secret_id?api-version=2023-07-01" --body "@$work/secret.json" --output none
  echo "Created mapping key secret $secret_name. Changing it later changes every pseudonym."
fi

if [ "$(azd_value CLOUDANON_MAPPING_KEY_SECRET_EXISTS)" != "true" ]; then
  azd env set CLOUDANON_MAPPING_KEY_SECRET_EXISTS true
  azd provision --no-prompt
fi
