#!/usr/bin/env bash
# Python tools the test run uses (schemathesis fuzzes the API from its OpenAPI document; kubernetes-validate
# checks the rendered Helm chart against the Kubernetes API schemas it ships, offline).
# Idempotent: pip skips an already-installed pinned version.
set -euo pipefail
python3 -m pip install --quiet --disable-pip-version-check 'schemathesis==4.32.5' 'kubernetes-validate==1.37.0'
