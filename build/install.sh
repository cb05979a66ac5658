#!/bin/sh
# remcli installer: curl -fsSL <release>/install.sh | sh        (or: | sh -s -- --dir ~/bin)
#
# Downloads the remcli binary for this OS and CPU from the release it came with, checks
# its SHA-256 against SHA256SUMS and, for a signed release, the Ed25519 signature in
# <binary>.sig against the release key written into this script by build.ts, then puts
# it in ~/.local/bin (or --dir) and says what it did. Nothing runs before it is checked.
#
#   --dir DIR     install there instead of ~/.local/bin      (or REMCLI_INSTALL_DIR)
#   --base URL    download from there instead                 (or REMCLI_DOWNLOAD_URL)
set -eu

# Filled in by build.ts: the release's version, where it is published, and the public
# half of the key that signed it (empty for an unsigned build, which SHA256SUMS alone checks).
VERSION="__REMCLI_VERSION__"
BASE="${REMCLI_DOWNLOAD_URL:-__REMCLI_DOWNLOAD_URL__}"
KEY_ID="__REMCLI_KEY_ID__"
KEY_PEM="__REMCLI_KEY_PEM__"
DIR="${REMCLI_INSTALL_DIR:-${HOME:-}/.local/bin}"

say() { printf '%s\n' "$*"; }
die() { printf 'remcli install: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --dir) [ $# -ge 2 ] || die "--dir needs a folder"; DIR="$2"; shift 2 ;;
    --dir=*) DIR="${1#--dir=}"; shift ;;
    --base) [ $# -ge 2 ] || die "--base needs a URL"; BASE="$2"; shift 2 ;;
    --base=*) BASE="${1#--base=}"; shift ;;
    -h|--help) sed -n '2,10p' "$0" 2>/dev/null || true; exit 0 ;;
    *) die "unknown option $1 (use --dir DIR or --base URL)" ;;
  esac
done
[ -n "$DIR" ] || die "no install folder: set HOME or give --dir DIR"
BASE="${BASE%/}"

# Someone on the same network can change a plain-http download; only loopback may be http.
# An https release stays https through every redirect (curl --proto applies to those too).
case "$BASE" in
  https://*) protocols='=https' ;;
  http://127.0.0.1:*|http://127.0.0.1/*|http://localhost:*|http://localhost/*|http://\[::1\]:*) protocols='=http,https' ;;
  *) die "downloads must be https (got $BASE)" ;;
esac

os=$(uname -s)
case "$os" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) die "no remcli build for $os (there are Linux and macOS builds; on Windows download remcli-windows-x64.exe)" ;;
esac
arch=$(uname -m)
case "$arch" in
  x86_64|amd64) arch=x64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) die "no remcli build for $os-$arch (there are x64 and arm64 builds)" ;;
esac
# A shell under Rosetta says x86_64 on an Apple-silicon Mac: the native build is the one to have.
if [ "$os-$arch" = darwin-x64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || echo 0)" = 1 ]; then arch=arm64; fi
if [ "$os" = linux ] && [ -e /lib/ld-musl-x86_64.so.1 -o -e /lib/ld-musl-aarch64.so.1 ] && ! [ -e /lib64/ld-linux-x86-64.so.2 -o -e /lib/ld-linux-aarch64.so.1 ]; then
  die "this Linux uses musl (Alpine?); remcli's builds need glibc"
fi
name="remcli-$os-$arch"

if command -v curl >/dev/null 2>&1; then
  fetch() { curl -fsSL --proto "$protocols" -o "$2" "$1"; }
elif command -v wget >/dev/null 2>&1; then
  # wget has no switch that keeps redirects on https (GitHub's releases redirect): the checks below still apply.
  fetch() { wget -q -O "$2" "$1"; }
else
  die "neither curl nor wget is installed"
fi

if command -v sha256sum >/dev/null 2>&1; then
  sha256() { sha256sum "$1" | cut -d' ' -f1; }
elif command -v shasum >/dev/null 2>&1; then
  sha256() { shasum -a 256 "$1" | cut -d' ' -f1; }
elif command -v openssl >/dev/null 2>&1; then
  sha256() { openssl dgst -sha256 -r "$1" | cut -d' ' -f1; }
else
  die "no sha256sum, shasum or openssl to check the download with"
fi

mkdir -p "$DIR" || die "cannot create $DIR"
[ -w "$DIR" ] || die "cannot write to $DIR: give --dir a folder you own"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/remcli-install.XXXXXX")
staged="$DIR/.remcli.new.$$"
trap 'rm -rf "$tmp"; rm -f "$staged"' EXIT INT TERM

say "downloading $name from $BASE"
fetch "$BASE/SHA256SUMS" "$tmp/SHA256SUMS" || die "could not download $BASE/SHA256SUMS"
fetch "$BASE/$name" "$tmp/$name" || die "could not download $BASE/$name"

expected=$(awk -v f="$name" '$2 == f || $2 == "*" f { print $1; exit }' "$tmp/SHA256SUMS")
[ -n "$expected" ] || die "SHA256SUMS lists no $name: refusing to install"
actual=$(sha256 "$tmp/$name")
[ "$actual" = "$expected" ] || die "SHA-256 mismatch for $name: SHA256SUMS says $expected, the download is $actual; nothing installed"
checked="SHA-256 $actual matches SHA256SUMS"

# Can this openssl verify Ed25519 (OpenSSL 3; macOS's LibreSSL cannot)?
ed25519_openssl() {
  command -v openssl >/dev/null 2>&1 || return 1
  printf '%s\n' "$KEY_PEM" >"$tmp/key.pem"
  openssl pkey -pubin -in "$tmp/key.pem" -noout 2>/dev/null && openssl pkeyutl -help 2>&1 | grep -q rawin
}

if [ -n "$KEY_ID" ]; then
  # A signed release always ships the .sig: one missing is a changed release, not an old one.
  fetch "$BASE/$name.sig" "$tmp/$name.sig" || die "the release is signed (key $KEY_ID) but $BASE/$name.sig could not be downloaded: refusing to install"
  sig_sha=$(sed -n 's/^sha256 //p' "$tmp/$name.sig")
  sig_key=$(sed -n 's/^key //p' "$tmp/$name.sig")
  [ "$sig_key" = "$KEY_ID" ] || die "$name.sig is signed by key ${sig_key:-?}, not this release's key $KEY_ID: refusing to install"
  [ "$sig_sha" = "$actual" ] || die "$name.sig is for SHA-256 ${sig_sha:-?}, not the download's $actual: refusing to install"
  if ed25519_openssl; then
    grep -v '^ed25519 ' "$tmp/$name.sig" >"$tmp/statement"
    sed -n 's/^ed25519 //p' "$tmp/$name.sig" | openssl base64 -d -A >"$tmp/signature" 2>/dev/null || die "$name.sig holds no readable signature: refusing to install"
    openssl pkeyutl -verify -pubin -inkey "$tmp/key.pem" -rawin -in "$tmp/statement" -sigfile "$tmp/signature" >/dev/null 2>&1 ||
      die "$name.sig does not verify under release key $KEY_ID: the download was altered or not signed by it; nothing installed"
    checked="$checked; Ed25519 signature by release key $KEY_ID verified"
  else
    checked="$checked; signature NOT verified (this openssl cannot check Ed25519; \`remcli update\` checks signatures itself)"
  fi
else
  checked="$checked; an unsigned build (no release key to check a signature against)"
fi

chmod 755 "$tmp/$name"
got=$("$tmp/$name" --version 2>/dev/null) || die "the checked binary does not run on this machine ($os-$arch)"
cp "$tmp/$name" "$staged"
# Renamed over the old one: a running daemon keeps its file, and sees the new one and switches to it.
mv -f "$staged" "$DIR/remcli"

say "installed remcli $got ($os-$arch) to $DIR/remcli"
say "  $checked"
[ -z "$VERSION" ] || [ "$VERSION" = "$got" ] || say "  note: this script is of release $VERSION; the binary says $got"
case ":${PATH:-}:" in
  *":$DIR:"*) ;;
  *) say "  $DIR is not on your PATH: add  export PATH=\"$DIR:\$PATH\"  to your shell's profile" ;;
esac
say "next: remcli daemon start   (prints the QR to scan with your phone; remcli daemon install keeps it running)"
