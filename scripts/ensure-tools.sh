#!/bin/sh
# Find or install the programs ytconv runs: ffmpeg, ffprobe and yt-dlp. Each may be set with
# YTCONV_FFMPEG, YTCONV_FFPROBE, YTCONV_YTDLP (in the environment or .env, as ytconv reads them).
# yt-dlp matters most: YouTube changes often and old versions break, so once a day this tries the
# newest official release into var/bin/yt-dlp, and falls back to the system's copy.
# `ensure-tools.sh chromium` instead finds or installs Chromium, which only the browser tests use.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
bindir="$root/var/bin"
fetch_stamp="$root/var/stamp/ytdlp-fetch"
release=https://github.com/yt-dlp/yt-dlp/releases/latest/download
tmp=
trap 'rm -f "$tmp"' EXIT

fail() {
  echo "ytconv: $*" >&2
  exit 1
}

# The variable named $1 from the environment, else from .env (the environment wins, as in ytconv).
setting() {
  eval "value=\${$1:-}"
  if [ -z "$value" ] && [ -f "$root/.env" ]; then
    value=$(sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$root/.env" | tail -n 1 |
      sed "s/^\"\(.*\)\"[[:space:]]*$/\1/; s/^'\(.*\)'[[:space:]]*$/\1/")
  fi
  echo "$value"
}

can_apt() {
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1
}

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Whether variable $1 names a tool; one that names no executable is a mistake worth stopping for.
overridden() {
  path=$(setting "$1")
  [ -n "$path" ] || return 1
  [ -x "$path" ] || fail "$1=$path is not an executable file: fix or unset it"
}

have() {
  overridden "$1" || command -v "$2" >/dev/null 2>&1
}

ensure_ffmpeg() {
  have YTCONV_FFMPEG ffmpeg && have YTCONV_FFPROBE ffprobe && return 0
  if can_apt; then
    apt_install ffmpeg || fail "apt-get could not install ffmpeg (see above)"
  else
    fail "ffmpeg and ffprobe are needed: install them (Debian/Ubuntu: sudo apt-get install ffmpeg; macOS: brew install ffmpeg) or set YTCONV_FFMPEG and YTCONV_FFPROBE"
  fi
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d ' ' -f 1
}

# The newest official yt-dlp (a zipapp for python3 >= 3.10), checked against its release's
# SHA2-256SUMS, renamed into place only when complete. Sets `why` when it cannot.
fetch_ytdlp() {
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null || {
    why="it needs python3 >= 3.10"
    return 1
  }
  why="github.com is unreachable or the download failed"
  command -v curl >/dev/null 2>&1 || return 1
  sums=$(curl -fsSL --connect-timeout 5 --max-time 30 "$release/SHA2-256SUMS" 2>/dev/null) || return 1
  want=$(echo "$sums" | awk '$2 == "yt-dlp" { print $1 }')
  [ -n "$want" ] || return 1
  [ -f "$bindir/yt-dlp" ] && [ "$(sha256 "$bindir/yt-dlp")" = "$want" ] && return 0
  mkdir -p "$bindir"
  tmp="$bindir/.yt-dlp.$$"
  curl -fsSL --connect-timeout 5 --max-time 300 -o "$tmp" "$release/yt-dlp" 2>/dev/null || return 1
  why="the download did not match its published SHA-256 sum"
  [ "$(sha256 "$tmp")" = "$want" ] || return 1
  chmod 755 "$tmp"
  why="the downloaded yt-dlp does not run"
  "$tmp" --version >/dev/null 2>&1 || return 1
  mv -f "$tmp" "$bindir/yt-dlp"
}

ensure_ytdlp() {
  overridden YTCONV_YTDLP && return 0
  # Once a day at most: an unreachable GitHub must not slow every make down.
  if [ -z "$(find "$fetch_stamp" -mtime -1 2>/dev/null)" ]; then
    mkdir -p "$(dirname "$fetch_stamp")"
    touch "$fetch_stamp"
    fetch_ytdlp || echo "ytconv: could not fetch the newest yt-dlp ($why); retrying in a day, or now with make update-ytdlp" >&2
  fi
  [ -x "$bindir/yt-dlp" ] && return 0
  command -v yt-dlp >/dev/null 2>&1 && return 0
  if can_apt; then
    apt_install yt-dlp || fail "apt-get could not install yt-dlp (see above)"
  else
    fail "yt-dlp is needed: install it (https://github.com/yt-dlp/yt-dlp#installation, or your package manager) or set YTCONV_YTDLP"
  fi
}

# The service's queue. Only the binary: ytconv starts a private server when none answers at
# REDIS_URL (the tests and `make run` do), so an installed system service is never required.
ensure_redis() {
  command -v redis-server >/dev/null 2>&1 && return 0
  if can_apt; then
    apt_install redis-server || fail "apt-get could not install redis-server (see above)"
  else
    echo "ytconv: no redis-server found: the service needs Redis (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) unless REDIS_URL names a running one" >&2
  fi
}

# Debian's Chromium, driven by playwright-core in test/e2e/browser.test.ts. Not having it is no
# error: those tests then skip and say why.
ensure_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  if can_apt; then
    apt_install chromium && return 0
    echo "ytconv: apt-get could not install chromium (see above): the browser tests will be skipped" >&2
  else
    echo "ytconv: no /usr/bin/chromium: the browser tests will be skipped (Debian/Ubuntu: sudo apt-get install chromium)" >&2
  fi
}

case ${1:-} in
  '')
    ensure_ffmpeg
    ensure_ytdlp
    ensure_redis
    ;;
  chromium) ensure_chromium ;;
  *) fail "ensure-tools.sh: unknown argument $1 (none, or chromium)" ;;
esac
