#!/usr/bin/env bash
# Installs `cloudanon`, one Native AOT executable (no .NET runtime needed to run it), into ~/.local/lib/cloudanon with
# what Clean Pixel Data loads beside it (ONNX Runtime's native library, models/ with the text detector and its NOTICE),
# and links it from ~/.local/bin (or $PREFIX/lib/cloudanon and $PREFIX/bin).
#   scripts/install-cli.sh [--prefix DIR]
# Needs the .NET 10 SDK, clang and zlib1g-dev (Debian/Ubuntu: sudo apt-get install -y clang zlib1g-dev).
set -euo pipefail
cd "$(dirname "$0")/.."

prefix="$HOME/.local"
[[ "${1:-}" == "--prefix" && -n "${2:-}" ]] && prefix="$2"

missing=()
command -v dotnet >/dev/null || missing+=("the .NET 10 SDK (https://dot.net)")
command -v clang >/dev/null || missing+=("clang")
[[ -e /usr/include/zlib.h ]] || missing+=("zlib1g-dev")
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "install-cli.sh: missing ${missing[*]}; on Debian/Ubuntu: sudo apt-get install -y clang zlib1g-dev" >&2
  exit 1
fi

case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64) rid=linux-arm64 ;;
  *) echo "install-cli.sh: no Native AOT build for $(uname -m)" >&2; exit 1 ;;
esac

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
