#!/usr/bin/env bash
# Python tools the test run uses (schemathesis fuzzes the API from its OpenAPI document).
# Idempotent: pip skips an already-installed pinned version.
set -euo pipefail
python3 -m pip install --quiet --disable-pip-version-check 'schemathesis==4.32.5'
