#!/bin/sh
# postdeploy: after the first deployment the blob extension's webhook exists: turn the Event Grid subscription on and
# provision it. The preprovision hook turns the setting off again once the function app is gone (`azd down`).
set -eu
if [ "$(azd env get-value CLOUDANON_INGRESS_SUBSCRIPTION_ENABLED 2>/dev/null || true)" = "true" ]; then
  exit 0
fi
azd env set CLOUDANON_INGRESS_SUBSCRIPTION_ENABLED true
azd provision --no-prompt
