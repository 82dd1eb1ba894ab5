#!/usr/bin/env bash
# API calls per scan of 100 findings, batched/grouped notifier vs a naive
# one-call-per-finding baseline (Slack post + Jira search + Jira create +
# webhook per finding = 400). Fakes on loopback; no network.
set -euo pipefail
cd "$(dirname "$0")/../.."
go test ./internal/notify/ -run 'TestAPICallFigures' -v 2>&1 | grep -E 'figures_test.go' | sed 's/^ *figures_test.go:[0-9]*: //'
out=$(go test ./internal/notify/ -run XXX -bench 'Notify100' -benchtime="${BENCHTIME:-20x}" 2>&1 | grep Benchmark)
echo "$out"
calls=$(echo "$out" | awk '{for(i=1;i<=NF;i++) if($i=="api-calls/scan") print $(i-1)}')
awk -v c="$calls" 'BEGIN{printf "api calls per 100-finding scan: %s (baseline 400), ratio %.3f\n", c, c/400}'
