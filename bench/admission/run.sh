#!/usr/bin/env bash
# Admission decision latency: `mlbom admission` (TLS, enforce mode, policies
# and verify-before-run against a signed BOM in SQLite) under 200 concurrent
# clients on loopback, with the test fixtures (a pod whose model verifies, a
# denied Deployment, a dry-run CronJob). Prints p50/p90/p99 and the server's
# resident memory at steady state (VmRSS) and peak (VmHWM).
#   bench/admission/run.sh [CONCURRENCY] [REVIEWS]
# CACHE_TTL=0 judges every review afresh (no template cache); RATES="100 300"
# sets the open-loop rates.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$root"
go build -o "$work/mlbom" ./cmd/mlbom
go build -o "$work/load" ./bench/admission/load
export MLBOM_HOME="$work/home" MLBOM_HF_RESOLVE=false MLBOM_APPROVAL_TIMEOUT=0s MLBOM_LOG_LEVEL=error
"$work/mlbom" keygen -o "$work/signer" >/dev/null
scripts/make-demo.sh "$work/demo" >/dev/null
# Version 1 of project demo, signed as it is stored (the pod fixture names demo@1).
MLBOM_SIGNING_KEY="$work/signer" "$work/mlbom" scan "$work/demo" --local --project demo >/dev/null 2>&1
"$work/mlbom" keygen --tls -o "$work/webhook" --host mlbom-admission.mlbom.svc >/dev/null
MLBOM_TRUSTED_KEYS="$work/signer.pub" "$work/mlbom" admission --cache-ttl "${CACHE_TTL:-30s}" --addr 127.0.0.1:0 --tls-cert "$work/webhook.crt" --tls-key "$work/webhook.key" 2>"$work/server.log" &
server=$!
for _ in $(seq 1 100); do grep -q "admission webhook on" "$work/server.log" && break; sleep 0.1; done
url="$(grep -o 'https://[^ ]*/validate' "$work/server.log")"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
f=internal/admission/testdata
cpu() { awk '{printf "%.2f", ($14 + $15) / 100}' /proc/$server/stat; }
fixtures=("$f/pod-create.json" "$f/deployment-update.json" "$f/cronjob-create-dryrun.json")
# Closed loop: 200 reviews always in flight (the saturation point).
before=$(cpu)
"$work/load" -url "$url" -ca "$work/webhook.crt" -c "${1:-200}" -n "${2:-20000}" "${fixtures[@]}"
after=$(cpu)
python3 -c "import sys; c=float(sys.argv[2])-float(sys.argv[1]); n=int(sys.argv[3])+1000; print(f'server CPU {c:.1f} s for {n} reviews (warm-up included): {c/n*1000:.2f} ms CPU per review (TLS, HTTP, JSON, policies, verify-before-run, recording)')" "$before" "$after" "${2:-20000}"
grep -E 'VmRSS|VmHWM' /proc/$server/status
# Open loop: 200 connections, reviews arriving at a steady rate.
for rate in ${RATES:-100 300}; do
  "$work/load" -url "$url" -ca "$work/webhook.crt" -c "${1:-200}" -n $((rate * 20)) -warmup 200 -rate "$rate" "${fixtures[@]}"
done
grep -E 'VmRSS|VmHWM' /proc/$server/status
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
