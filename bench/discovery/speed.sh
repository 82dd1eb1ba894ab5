#!/usr/bin/env bash
# Whole-process speed of `mlbom scan --local` on a source tree without ML
# content, in files per second, next to `grep -rIl` over the same tree as a
# baseline that reads every file once.
#
# The tree is real code: the first FILES (default 20000) files of this
# repository's own Go dependencies (module cache, versions pinned by go.sum,
# modules in path order, files over 1 MiB left out: git fixture packs and
# compressed test vectors are not source), without the one AI client library
# (go-openai). It is rebuilt identically on every machine; `go mod download`
# fills the cache.
#
#   bench/discovery/speed.sh [FILES] [RUNS]        (KEEP=DIR keeps the tree)
#
# Prints the median wall time of RUNS runs (default 5) of each side, files/s,
# the ratio scan/grep, and the AI-asset findings the scan made on the tree
# (there should be none: each is a false positive). Run it with the machine
# otherwise idle, or under `nice`, and read the ratio.
set -euo pipefail
cd "$(dirname "$0")/../.."
FILES=${1:-20000}
RUNS=${2:-5}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

go build -o "$WORK/mlbom" ./cmd/mlbom
go mod download

# KEEP=DIR keeps the generated tree in DIR for a closer look.
tree=${KEEP:-$WORK/tree}
rm -rf "$tree" && mkdir -p "$tree"
n=0
while read -r mod dir; do
	case "$mod" in
	github.com/sashabaranov/go-openai*) continue ;; # an AI client: not "without ML content"
	esac
	[ -d "$dir" ] || continue
	dest="$tree/$mod"
	mkdir -p "$dest"
	# Files in a stable order; stop exactly at FILES.
	while IFS= read -r -d '' f; do
		[ "$n" -ge "$FILES" ] && break
		rel=${f#"$dir"/}
		mkdir -p "$dest/$(dirname "$rel")"
		cp "$f" "$dest/$rel"
		n=$((n + 1))
	done < <(cd "$dir" && find . -type f -size -1025k -print0 | sort -z | sed -z 's|^\./||' | sed -z "s|^|$dir/|")
	[ "$n" -ge "$FILES" ] && break
done < <(go list -m -f '{{if and .Dir (not .Main)}}{{.Path}}@{{.Version}} {{.Dir}}{{end}}' all | sort)
chmod -R u+w "$tree"
echo "tree: $n files, $(du -sm "$tree" | cut -f1) MiB, from $(ls "$tree" | wc -l) top-level module roots"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
secs() { # wall seconds of "$@"
	local s e
	s=$(date +%s%N)
	"$@" >/dev/null 2>&1
	e=$(date +%s%N)
	awk -v s="$s" -v e="$e" 'BEGIN{printf "%.3f\n", (e-s)/1e9}'
}
scan() {
	rm -rf "$WORK/home" && mkdir -p "$WORK/home"
	MLBOM_HOME="$WORK/home" MLBOM_HF_RESOLVE=0 MLBOM_APPROVAL_TIMEOUT=0s \
		"$WORK/mlbom" scan --local --json --project speed "$tree"
}
grepall() { grep -rIl -e 'gpt-4' -e 'from_pretrained' "$tree" || true; }

cat -- $(find "$tree" -type f | head -1) >/dev/null
scan >/dev/null 2>&1 # warm the page cache and the binary
grepall >/dev/null
s=(); g=()
for _ in $(seq "$RUNS"); do
	s+=("$(secs scan)")
	g+=("$(secs grepall)")
done
ms=$(printf '%s\n' "${s[@]}" | median)
mg=$(printf '%s\n' "${g[@]}" | median)
echo "median of $RUNS (load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs)"
awk -v n="$n" -v s="$ms" -v g="$mg" 'BEGIN {
	printf "  mlbom scan --local: %.3fs  %6.0f files/s\n", s, n/s
	printf "  grep -rIl:          %.3fs  %6.0f files/s\n", g, n/g
	printf "  ratio scan/grep:    %.2f\n", s/g
}'
rm -rf "$WORK/home" && mkdir -p "$WORK/home"
MLBOM_HOME="$WORK/home" MLBOM_HF_RESOLVE=0 MLBOM_APPROVAL_TIMEOUT=0s \
	"$WORK/mlbom" scan --local --json --project speed "$tree" 2>/dev/null |
	python3 -c 'import json,sys; s=json.load(sys.stdin); print("  scan summary:", {k: s[k] for k in s if k in ("files","findings","assets","components")})' || true
