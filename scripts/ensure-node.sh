#!/bin/sh
# Make sure a Node that runs TypeScript directly (>= 22.18, type stripping on by default) comes
# first on PATH. The Makefile puts var/node/node_modules/.bin first, so a Node pinned here wins.
# Otherwise the machine's node is used when new enough, else a pinned Node is installed into
# var/node from the npm registry (the only download source we can count on), changing nothing
# outside the project. Writes var/stamp/node (path and version) only when they change, so that
# `npm ci` reruns exactly when the Node under it changed.
set -eu

PIN=24.21.0
root=$(cd "$(dirname "$0")/.." && pwd)
prefix="$root/var/node"
pinned="$prefix/node_modules/.bin/node"
stamp="$root/var/stamp/node"
PATH="$prefix/node_modules/.bin:$PATH"

fail() {
  echo "ytconv: $*" >&2
  exit 1
}

# Prints the version of the node given as $1, or nothing when it cannot run.
version_of() {
  "$1" -p process.versions.node 2>/dev/null || true
}

new_enough() {
  major=${1%%.*}
  rest=${1#*.}
  minor=${rest%%.*}
  [ "$major" -gt 22 ] || { [ "$major" -eq 22 ] && [ "$minor" -ge 18 ]; }
}

platform_package() {
  case $(uname -s) in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) fail "no Node package for $(uname -s); install Node >= 22.18 yourself, then run make again" ;;
  esac
  case $(uname -m) in
    x86_64 | amd64) cpu=x64 ;;
    aarch64 | arm64) cpu=arm64 ;;
    *) fail "no Node package for $(uname -m); install Node >= 22.18 yourself, then run make again" ;;
  esac
  echo "node-$os-$cpu"
}

install_pinned() {
  command -v npm >/dev/null 2>&1 ||
    fail "Node >= 22.18 is needed and there is no npm to fetch it: install Node 22.18+ (https://nodejs.org), then run make again"
  rm -rf "$prefix"
  npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "$(platform_package)@$PIN" >/dev/null ||
    fail "could not install Node $PIN from the npm registry (see above); or install Node 22.18+ yourself"
  [ "$(version_of "$pinned")" = "$PIN" ] || fail "the Node $PIN installed in $prefix does not run on this machine"
}

node=$(command -v node 2>/dev/null || true)
version=${node:+$(version_of "$node")}
if [ -x "$pinned" ] && [ "$(version_of "$pinned")" != "$PIN" ]; then
  # A pin from an older checkout, or a broken download.
  install_pinned
elif [ -z "$version" ] || ! new_enough "$version"; then
  install_pinned
fi
node=$(command -v node)
line="$node $(version_of "$node")"

mkdir -p "$(dirname "$stamp")"
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$line" ] || echo "$line" >"$stamp"
