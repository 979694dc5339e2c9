#!/usr/bin/env bash
# amtool and alertmanager for test/observability/alertmanager.test.ts (`amtool check-config` over
# deploy/alertmanager/, and a live Prometheus → Alertmanager → API relay → receiver run).
# Taken from Debian's `prometheus-alertmanager` package, only the two binaries extracted: installing the
# package would run its postinst, which starts an Alertmanager (invoke-rc.d) on this machine.
# Debian's build reads its built-in message templates from /usr/share/prometheus/alertmanager/: that one
# directory is put in place too. Idempotent: does nothing when all are already there. The binaries land in
# $ALERTMANAGER_DIR (default ~/.cache/redis-dts-sync/alertmanager), which the tests also search.
set -euo pipefail

dir="${ALERTMANAGER_DIR:-${HOME}/.cache/redis-dts-sync/alertmanager}"
templates=/usr/share/prometheus/alertmanager
if [ -x "$dir/amtool" ] && [ -x "$dir/alertmanager" ] && [ -f "$templates/default.tmpl" ]; then
  echo "alertmanager: $dir/alertmanager ($("$dir/alertmanager" --version 2>&1 | head -1))"
  exit 0
fi

sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
if ! apt-cache show prometheus-alertmanager >/dev/null 2>&1; then
  $sudo apt-get update -qq
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# apt-get download needs no root; _apt cannot write into a private temp dir, hence the chmod.
chmod 0777 "$work"
(cd "$work" && apt-get download -qq prometheus-alertmanager)
for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$work/root"; done
mkdir -p "$dir"
install -m 0755 "$work/root/usr/bin/amtool" "$dir/amtool"
install -m 0755 "$work/root/usr/bin/prometheus-alertmanager" "$dir/alertmanager"
$sudo mkdir -p "$templates"
$sudo install -m 0644 "$work/root$templates"/*.tmpl "$templates/"
echo "alertmanager: $dir/alertmanager ($("$dir/alertmanager" --version 2>&1 | head -1))"
