#!/usr/bin/env bash
# Checks out every repository of manifest.yaml at its pinned commit into DIR
# (DIR/<name>), leaving out the manifest's `absent` files. Repositories
# already at the right commit are kept.
#   bench/discovery/clone.sh DIR                 # clones from GitHub
#   bench/discovery/clone.sh DIR --mirror ROOT   # from bare mirrors ROOT/<owner>+<name>/repo
# Needs git and go; nothing in the clones is built or run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dest=${1:?usage: clone.sh DIR [--mirror ROOT]}
mirror=""
if [ "${2:-}" = "--mirror" ]; then mirror=${3:?--mirror needs a directory}; fi
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
# One line per repository: name url commit absent(comma-separated or -).
root=$(cd "$here/../.." && pwd)
(cd "$root" && go run ./bench/discovery/score -list) | while read -r name url commit absent; do
  target="$dest/$name"
  if [ -d "$target/.git" ] && [ "$(git -C "$target" rev-parse HEAD 2>/dev/null)" = "$commit" ]; then
    echo "ok       $name $commit"; continue
  fi
  src=$url
  if [ -n "$mirror" ]; then
    slug=${url#https://github.com/}
    src="$mirror/${slug/\//+}/repo"
  fi
  rm -rf "$target"
  git clone -q --no-checkout "$src" "$target"
  git -C "$target" fetch -q origin "$commit" 2>/dev/null || true
  patterns=('/*')
  if [ "$absent" != "-" ]; then
    IFS=, read -ra files <<<"$absent"
    for f in "${files[@]}"; do patterns+=("!/$f"); done
  fi
  git -C "$target" sparse-checkout set --no-cone "${patterns[@]}"
  git -C "$target" -c advice.detachedHead=false checkout -q "$commit"
  echo "cloned   $name $commit"
done
