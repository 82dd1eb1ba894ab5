#!/usr/bin/env bash
# `make run`: start (or reuse) a local Temporal dev server whose history lives
# in .mlbom/temporal.db, start a worker and the dashboard (anonymous read-only
# access on, for the local demo), scan the demo repository or $SOURCE, print
# the summary and the URLs, and keep everything up until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bin=$root/bin
data=${MLBOM_HOME:-$root/.mlbom}
mkdir -p "$data"
export MLBOM_HOME=$data
port=${MLBOM_TEMPORAL_PORT:-7233}
ui_port=${MLBOM_TEMPORAL_UI_PORT:-8233}
export MLBOM_TEMPORAL_ADDRESS=${MLBOM_TEMPORAL_ADDRESS:-127.0.0.1:$port}
export MLBOM_TEMPORAL_UI=${MLBOM_TEMPORAL_UI:-http://localhost:$ui_port}
# The demo references models whose license nobody declared; by default the
# scan does not wait for a human to approve those exceptions (set e.g.
# MLBOM_APPROVAL_TIMEOUT=1h and use `bin/mlbom approve` to try approvals).
export MLBOM_APPROVAL_TIMEOUT=${MLBOM_APPROVAL_TIMEOUT:-0s}

pids=()
cleanup() {
  trap - INT TERM EXIT
  if [ ${#pids[@]} -gt 0 ]; then
    echo; echo "stopping dashboard, worker and dev server..."
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
}
trap cleanup INT TERM EXIT

healthy() { "$bin/temporal" operator cluster health --address "$MLBOM_TEMPORAL_ADDRESS" >/dev/null 2>&1; }

if healthy; then
  echo "Temporal server already running at $MLBOM_TEMPORAL_ADDRESS: reusing it"
else
  echo "starting Temporal dev server at $MLBOM_TEMPORAL_ADDRESS (UI $MLBOM_TEMPORAL_UI, history in $data/temporal.db)"
  "$bin/temporal" server start-dev --ip 127.0.0.1 --port "$port" --ui-port "$ui_port" \
    --db-filename "$data/temporal.db" --log-level warn \
    --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal \
    --dynamic-config-value system.enableActivityEagerExecution=true \
    >"$data/temporal.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 120); do
    healthy && break
    kill -0 "${pids[0]}" 2>/dev/null || { echo "the dev server exited; see $data/temporal.log"; tail -20 "$data/temporal.log"; exit 1; }
    sleep 0.5
  done
  healthy || { echo "the dev server did not become healthy in 60 s; see $data/temporal.log"; exit 1; }
fi

echo "starting worker (log: $data/worker.log)"
"$bin/mlbom" worker >"$data/worker.log" 2>&1 &
pids+=($!)
sleep 1
kill -0 "${pids[-1]}" 2>/dev/null || { echo "the worker exited:"; tail -20 "$data/worker.log"; exit 1; }

# The dashboard. For this local demo anyone who can reach 127.0.0.1 may
# read it without signing in (MLBOM_HTTP_ANONYMOUS=viewer); writing
# (starting scans, approving) still needs a token.
http_addr=${MLBOM_HTTP_ADDR:-127.0.0.1:8080}
export MLBOM_HTTP_ANONYMOUS=${MLBOM_HTTP_ANONYMOUS-viewer}
export MLBOM_HTTP_LOCAL_SOURCES=${MLBOM_HTTP_LOCAL_SOURCES:-$data}
echo "starting the dashboard on http://$http_addr/ (log: $data/serve.log)"
"$bin/mlbom" serve --addr "$http_addr" >"$data/serve.log" 2>&1 &
pids+=($!)
sleep 1
if ! kill -0 "${pids[-1]}" 2>/dev/null; then
  echo "the dashboard did not start (port in use? set MLBOM_HTTP_ADDR):"; tail -5 "$data/serve.log"
  unset 'pids[-1]'
fi

src=${SOURCE:-}
project=${PROJECT:-}
if [ -z "$src" ]; then
  scripts/make-demo.sh "$data/demo-app"
  src=$data/demo-app
  project=${project:-demo}
fi
args=(scan "$src" -o "$data/last-bom.json")
[ -n "$project" ] && args+=(--project "$project")
echo "+ mlbom ${args[*]}"
"$bin/mlbom" "${args[@]}" || echo "the scan failed; the worker log is $data/worker.log"

if [ -n "$MLBOM_HTTP_ANONYMOUS" ]; then
  anon_note="NOTE: anonymous read-only access is ON for this local demo (MLBOM_HTTP_ANONYMOUS=$MLBOM_HTTP_ANONYMOUS)."
else
  anon_note="Every page needs a token (MLBOM_HTTP_ANONYMOUS is off)."
fi
cat <<MSG

Temporal UI:    $MLBOM_TEMPORAL_UI  (workflow runs, filter with: MlbomProject="${project:-...}")
BOM written to: $data/last-bom.json
More:           bin/mlbom bom ${project:-PROJECT} | bin/mlbom diff ${project:-PROJECT} | bin/mlbom search "sentiment model"
Dashboard:      http://$http_addr/
                $anon_note
                To start scans or approve exceptions, sign in with a token:
                  bin/mlbom token create --role admin --name "\$USER"
Metrics:        http://${MLBOM_METRICS_ADDR:-127.0.0.1:9464}/metrics (worker), http://$http_addr/metrics (dashboard, with a token)
Server and worker keep running; press Ctrl-C to stop them.
MSG
if [ ${#pids[@]} -gt 0 ]; then
  wait "${pids[@]}"
fi
