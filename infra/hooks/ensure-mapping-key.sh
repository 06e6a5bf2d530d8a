#!/bin/sh
# Generates CLOUDANON_MAPPING_KEY (base64 of 32 random bytes) in the azd environment unless it is already set.
# Keep a copy of it in a safe place: replacing it changes every pseudonym produced from then on.
set -eu
if [ -n "$(azd env get-value CLOUDANON_MAPPING_KEY 2>/dev/null || true)" ]; then
  exit 0
fi
azd env set CLOUDANON_MAPPING_KEY "$(openssl rand -base64 32)"
echo "Generated CLOUDANON_MAPPING_KEY for this azd environment."
