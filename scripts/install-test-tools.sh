#!/usr/bin/env bash
# Installs what the tests use besides the .NET SDK: the oracles from Debian (gdcmanon, dcmdump, dciodvfy, pydicom,
# openssl) and Azurite from npm (the tests start it themselves when none is running).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for tool in gdcmanon dcmdump dciodvfy openssl /usr/bin/time; do command -v "$tool" >/dev/null || missing+=("$tool"); done
/usr/bin/python3 -c 'import pydicom' 2>/dev/null || missing+=(pydicom)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages for: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq libgdcm-tools libgdcm3.0 dcmtk dicom3tools python3-pydicom openssl time >/dev/null
fi

if [ ! -x node_modules/.bin/azurite ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
