#!/usr/bin/env bash
# Runs the Rego unit tests in policies/ with the real opa binary, the same
# version as go.mod, installed into ./bin on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

version="$(go list -m -f '{{.Version}}' github.com/open-policy-agent/opa 2>/dev/null || true)"
version="${version:-v1.22.2}"
opa="./bin/opa"

if [[ ! -x "$opa" ]] || ! "$opa" version 2>/dev/null | grep -q "^Version: ${version#v}$"; then
	echo "installing opa ${version} into ./bin (compiles once, takes a few minutes)" >&2
	GOBIN="$PWD/bin" go install "github.com/open-policy-agent/opa@${version}"
fi

# --fail-on-empty: a test run that finds no tests is a failure, not a pass.
# --timeout: a busy CI machine (load 20+ on 2 cores) pushed a pure-Rego
# Levenshtein test past opa's 5 s default; a slow machine is not a failure.
exec "$opa" test policies/ -v --fail-on-empty --timeout 60s "$@"
