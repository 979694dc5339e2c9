#!/usr/bin/env bash
# Helm, for rendering deploy/helm/redis-dts-sync in test/deploy/helm-chart.test.ts. Built from source with
# Go like the Temporal CLI (a prebuilt binary download is not a package), cached outside the clone.
# Idempotent: does nothing when the pinned version is already built.
set -euo pipefail

version=v3.22.0
dir="${XDG_CACHE_HOME:-$HOME/.cache}/redis-dts-sync/helm-${version}"
if [ -x "$dir/helm" ]; then
  echo "helm: $dir/helm ($("$dir/helm" version --short))"
  exit 0
fi
mkdir -p "$dir"
echo "helm: building ${version} with Go into $dir (first run only, a few minutes)"
GOBIN="$dir" CGO_ENABLED=0 go install "helm.sh/helm/v3/cmd/helm@${version}"
echo "helm: $dir/helm ($("$dir/helm" version --short))"
