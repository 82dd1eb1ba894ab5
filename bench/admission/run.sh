#!/usr/bin/env bash
# Admission decision latency, side by side with a floor: `mlbom admission`
# (TLS, enforce mode, policies and verify-before-run against a signed BOM in
# SQLite, decisions recorded) and bench/admission/floor (an always-allow
# webhook doing only TLS, HTTP and the AdmissionReview decode/encode) take
# turns under the same load from the same client, ROUNDS times, so a busy
# machine slows both alike. Fixtures: a pod whose model verifies, a denied
# Deployment, a dry-run CronJob; every review has a fresh uid.
#   bench/admission/run.sh [CONCURRENCY] [REVIEWS]
# Prints per round p50/p99 and server CPU per review for both, the medians
# and the ratios mlbom/floor, then the servers' memory: VmRSS at steady
# state, VmHWM peak, RssAnon (heap, stacks, SQLite's page cache) and
# RssFile (the binary's pages). CACHE_TTL=0 judges every review afresh (no
# template cache); RATES="100 300" sets the open-loop rates; ROUNDS
# (default 3).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'kill "${server:-0}" "${floor:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$root"
conc="${1:-200}" total="${2:-20000}"
go build -o "$work/mlbom" ./cmd/mlbom
go build -o "$work/load" ./bench/admission/load
go build -o "$work/floor" ./bench/admission/floor
export MLBOM_HOME="$work/home" MLBOM_HF_RESOLVE=false MLBOM_APPROVAL_TIMEOUT=0s MLBOM_LOG_LEVEL=error
"$work/mlbom" keygen -o "$work/signer" >/dev/null
scripts/make-demo.sh "$work/demo" >/dev/null
# Version 1 of project demo, signed as it is stored (the pod fixture names demo@1).
MLBOM_SIGNING_KEY="$work/signer" "$work/mlbom" scan "$work/demo" --local --project demo >/dev/null 2>&1
"$work/mlbom" keygen --tls -o "$work/webhook" --host mlbom-admission.mlbom.svc >/dev/null
MLBOM_TRUSTED_KEYS="$work/signer.pub" "$work/mlbom" admission --cache-ttl "${CACHE_TTL:-30s}" --addr 127.0.0.1:0 --tls-cert "$work/webhook.crt" --tls-key "$work/webhook.key" 2>"$work/server.log" &
server=$!
"$work/floor" -tls-cert "$work/webhook.crt" -tls-key "$work/webhook.key" 2>"$work/floor.log" &
floor=$!
for _ in $(seq 1 100); do grep -q "webhook on" "$work/server.log" && grep -q "webhook on" "$work/floor.log" && break; sleep 0.1; done
url_mlbom="$(grep -o 'https://[^ ]*/validate' "$work/server.log")"
url_floor="$(grep -o 'https://[^ ]*/validate' "$work/floor.log")"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
f=internal/admission/testdata
fixtures=("$f/pod-create.json" "$f/deployment-update.json" "$f/cronjob-create-dryrun.json")
cpu() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat"; }
# run NAME PID URL MODE WARMUP ARGS...: one load run; appends
# "name mode p50 p99 cpu-ms/review" to results (CPU over warm-up and
# measured reviews, TLS handshakes of the run's fresh connections included).
run() {
  local name=$1 pid=$2 url=$3 mode=$4 warm=$5; shift 5
  local before after out
  before=$(cpu "$pid")
  out="$("$work/load" -url "$url" -ca "$work/webhook.crt" -warmup "$warm" "$@" "${fixtures[@]}")"
  after=$(cpu "$pid")
  echo "$out" | sed "s/^/  $name: /"
  local n; n=$(echo "$out" | awk -v w="$warm" '/^reviews/ {print $2 + w}')
  echo "$out" | awk -v name="$name" -v mode="$mode" -v c="$(python3 -c "print($after-$before)")" -v n="$n" \
    '/^latency/ {gsub(",",""); printf "%s %s %s %s %.3f\n", name, mode, $3, $9, c*1000/n}' >>"$work/results"
}
for r in $(seq 1 "${ROUNDS:-3}"); do
  echo "round $r (load average $(cut -d' ' -f1 /proc/loadavg))"
  # Closed loop: CONCURRENCY reviews always in flight (the saturation point).
  run floor "$floor" "$url_floor" closed 500 -c "$conc" -n "$total"
  run mlbom "$server" "$url_mlbom" closed 500 -c "$conc" -n "$total"
  # Open loop: CONCURRENCY connections, reviews arriving at a steady rate.
  for rate in ${RATES:-100 300}; do
    run floor "$floor" "$url_floor" "rate$rate" 200 -c "$conc" -n $((rate * 10)) -rate "$rate"
    run mlbom "$server" "$url_mlbom" "rate$rate" 200 -c "$conc" -n $((rate * 10)) -rate "$rate"
  done
done
python3 - "$work/results" <<'PY'
import sys, statistics as st
rows = [l.split() for l in open(sys.argv[1])]
modes = list(dict.fromkeys(r[1] for r in rows))
print("\nmedians over rounds (ms; CPU ms per review includes the server's background recording)")
print(f"{'mode':10} {'floor p50':>10} {'floor p99':>10} {'mlbom p50':>10} {'mlbom p99':>10} {'p50 x':>7} {'p99 x':>7} {'cpu floor':>10} {'cpu mlbom':>10}")
for m in modes:
    med = lambda name, i: st.median(float(r[i]) for r in rows if r[0] == name and r[1] == m)
    fp50, fp99, mp50, mp99 = med("floor", 2), med("floor", 3), med("mlbom", 2), med("mlbom", 3)
    print(f"{m:10} {fp50:10.2f} {fp99:10.2f} {mp50:10.2f} {mp99:10.2f} {mp50/fp50:7.2f} {mp99/fp99:7.2f} {med('floor', 4):10.3f} {med('mlbom', 4):10.3f}")
PY
echo "mlbom memory: $(grep -E 'VmRSS|VmHWM|RssAnon|RssFile' /proc/$server/status | tr -s ' \t' ' ' | paste -sd' ')"
echo "floor memory: $(grep -E 'VmRSS|VmHWM|RssAnon|RssFile' /proc/$floor/status | tr -s ' \t' ' ' | paste -sd' ')"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
