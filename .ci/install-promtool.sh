#!/usr/bin/env bash
# promtool for `promtool check rules` / `promtool test rules` over deploy/prometheus/, and the
# prometheus server binary for test/observability/prometheus-live.int.test.ts, and the server's classic web
# UI (web/, passed as --web.local-assets) for the /alerts screenshot of scripts/dashboard-snapshot.ts.
# Taken from Debian's `prometheus` package, but only the two binaries and the UI are extracted: installing
# the package would run its postinst, which starts a Prometheus server (invoke-rc.d) on this machine.
# The UI's jQuery, Bootstrap, Popper and icon font come from their own Debian packages (the UI links to them).
# Idempotent: does nothing when all three are already extracted.
# They land in $PROMTOOL_DIR (default ~/.cache/redis-dts-sync/promtool), which
# test/observability/promtool.ts also searches.
set -euo pipefail

dir="${PROMTOOL_DIR:-${HOME}/.cache/redis-dts-sync/promtool}"
glyphs=static/vendor/bootstrap4-glyphicons/fonts/glyphicons/glyphicons-halflings-regular.woff
if [ -x "$dir/promtool" ] && [ -x "$dir/prometheus" ] && [ -f "$dir/web/$glyphs" ]; then
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
(cd "$work" && apt-get download -qq prometheus libjs-jquery libjs-bootstrap4 libjs-popper.js \
  fonts-glyphicons-halflings)
for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$work/root"; done
mkdir -p "$dir"
install -m 0755 "$work/root/usr/bin/promtool" "$dir/promtool"
install -m 0755 "$work/root/usr/bin/prometheus" "$dir/prometheus"
# The UI's links to libraries not fetched (graph page only) would dangle: drop them, copy the rest dereferenced.
find "$work/root/usr/share/prometheus/web" -xtype l -delete
rm -rf "$dir/web"
cp -rL "$work/root/usr/share/prometheus/web" "$dir/web"
echo "promtool: $dir/promtool ($("$dir/promtool" --version 2>&1 | head -1))"
