#!/usr/bin/env bash
# promtool for `promtool check rules` / `promtool test rules` over deploy/prometheus/, and the
# prometheus server binary for test/observability/prometheus-live.test.ts.
# Taken from Debian's `prometheus` package, but only the two binaries are extracted: installing the
# package would run its postinst, which starts a Prometheus server (invoke-rc.d) on this machine.
# Idempotent: does nothing when both are already extracted.
# They land in $PROMTOOL_DIR (default ~/.cache/redis-dts-sync/promtool), which
# test/observability/promtool.ts also searches.
set -euo pipefail

dir="${PROMTOOL_DIR:-${HOME}/.cache/redis-dts-sync/promtool}"
if [ -x "$dir/promtool" ] && [ -x "$dir/prometheus" ]; then
  echo "promtool: $dir/promtool ($("$dir/promtool" --version 2>&1 | head -1))"
  exit 0
fi

sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
if ! apt-cache show prometheus >/dev/null 2>&1; then
  $sudo apt-get update -qq
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# apt-get download needs no root; _apt cannot write into a private temp dir, hence the chmod.
chmod 0777 "$work"
(cd "$work" && apt-get download -qq prometheus)
dpkg-deb -x "$work"/prometheus_*.deb "$work/root"
mkdir -p "$dir"
install -m 0755 "$work/root/usr/bin/promtool" "$dir/promtool"
install -m 0755 "$work/root/usr/bin/prometheus" "$dir/prometheus"
echo "promtool: $dir/promtool ($("$dir/promtool" --version 2>&1 | head -1))"
