#!/usr/bin/env bash
# Provenance of 300 files over a 400-commit history: one go-git history walk
# (ProvenanceAll) against the baseline of `git log -1 -- path` per file, run
# side by side on the same synthetic repository. Prints the speed-up ratio.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(go test -run '^$' -bench 'Provenance(All|GitCLI)$' -benchtime "${BENCHTIME:-3x}" ./internal/source/)
echo "$out" | grep -E '^Benchmark'
echo "$out" | awk '/^BenchmarkProvenanceAll/ {a=$3} /^BenchmarkProvenanceGitCLI/ {g=$3}
  END { if (a && g) printf "ProvenanceAll is %.1fx faster than git log per path (%.0f ms vs %.0f ms)\n", g/a, a/1e6, g/1e6 }'
