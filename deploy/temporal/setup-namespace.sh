#!/bin/sh
# One-shot: wait for the Temporal frontend, create the namespace and register the
# custom search attributes the workflows write. Idempotent: an existing namespace or
# attribute is left as it is. Runs in temporalio/admin-tools (the `temporal` CLI reads
# TEMPORAL_ADDRESS); works the same against any existing cluster:
#   TEMPORAL_ADDRESS=host:7233 TEMPORAL_NAMESPACE=ns sh deploy/temporal/setup-namespace.sh
set -eu

: "${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS (host:port of the Temporal frontend) is required}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
RETENTION="${TEMPORAL_NAMESPACE_RETENTION:-720h}"
# Keep in step with core/search-attributes.ts (test/compose checks it).
SEARCH_ATTRIBUTES="DtsJobId:Keyword SyncPhase:Keyword SyncTopology:Keyword SourceInstanceId:Keyword DestinationInstanceId:Keyword SyncName:Keyword SyncRegion:Keyword SyncTags:KeywordList"
export TEMPORAL_ADDRESS

tries=0
until temporal operator cluster health >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "${tries}" -ge "${TEMPORAL_WAIT_SECONDS:-120}" ]; then
    echo "temporal-namespace: Temporal at ${TEMPORAL_ADDRESS} is not healthy" >&2
    temporal operator cluster health || true
    exit 1
  fi
  sleep 1
done

if temporal operator namespace describe --namespace "${NAMESPACE}" >/dev/null 2>&1; then
  echo "temporal-namespace: namespace ${NAMESPACE} exists"
else
  echo "temporal-namespace: creating namespace ${NAMESPACE} (retention ${RETENTION})"
  temporal operator namespace create --namespace "${NAMESPACE}" --retention "${RETENTION}" \
    --description "redis-dts-sync workflows"
fi

# The namespace cache of a just-created namespace may lag a few seconds.
tries=0
until existing="$(temporal operator search-attribute list --namespace "${NAMESPACE}" 2>/dev/null)"; do
  tries=$((tries + 1))
  if [ "${tries}" -ge 30 ]; then
    temporal operator search-attribute list --namespace "${NAMESPACE}" >&2 || true
    exit 1
  fi
  sleep 1
done

for entry in ${SEARCH_ATTRIBUTES}; do
  name="${entry%%:*}"
  type="${entry#*:}"
  have="$(printf '%s\n' "${existing}" | awk -v n="${name}" '$1 == n { print $2 }')"
  if [ "${have}" = "${type}" ]; then
    echo "temporal-namespace: search attribute ${name} exists"
  elif [ -n "${have}" ]; then
    echo "temporal-namespace: search attribute ${name} exists as ${have}, expected ${type}" >&2
    exit 1
  else
    echo "temporal-namespace: registering search attribute ${name} (${type})"
    temporal operator search-attribute create --namespace "${NAMESPACE}" --name "${name}" --type "${type}"
  fi
done
echo "temporal-namespace: done"
