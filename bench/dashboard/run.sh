#!/usr/bin/env bash
# Page load of the dashboard for a project with 5,000 components (issue 14:
# under 300 ms server time, DOMContentLoaded under 1 s in the browser).
#   server:  BenchmarkProjectPage5k — the handler alone, wall and CPU time
#   browser: BenchmarkProjectPageBrowser5k — a real headless Chromium against
#            an HTTP server on loopback, Navigation Timing from the start of
#            navigation (server, transfer, parse, layout), next to a small
#            page of ours (the search form) as the baseline of the machine.
# Prints the load average before and after: the figures mean little on a
# machine busy with other work.
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${COUNT:-20}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
nice go test -run '^$' -bench 'ProjectPage' -benchtime "${count}x" ./internal/api 2>/dev/null | grep -E '^(Benchmark|ok|FAIL)'
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
