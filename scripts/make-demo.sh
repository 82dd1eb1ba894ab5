#!/usr/bin/env bash
# Builds the demo repository (a small ML app) as a git repository from the
# files in examples/demo-app. Fixed author and dates make the commit hash the
# same on every machine, so repeated runs scan the same commit.
set -euo pipefail
dest=${1:?usage: make-demo.sh DEST [SRC]}
src=${2:-"$(cd "$(dirname "$0")/.." && pwd)/examples/demo-app"}
rm -rf "$dest"
mkdir -p "$dest"
cp -R "$src/." "$dest/"
cd "$dest"
# Kept under another name in this project so that a clone of the project
# with git-lfs installed does not try to fetch the demo's LFS object.
[ -f gitattributes.demo ] && mv gitattributes.demo .gitattributes
export GIT_AUTHOR_NAME="Demo Author" GIT_AUTHOR_EMAIL="author@demo.example"
export GIT_COMMITTER_NAME="Demo Author" GIT_COMMITTER_EMAIL="author@demo.example"
export GIT_AUTHOR_DATE="2026-01-15T10:00:00Z" GIT_COMMITTER_DATE="2026-01-15T10:00:00Z"
git -c init.defaultBranch=main init -q .
git add -A
git -c commit.gpgsign=false commit -q -m "ticket-triage demo app"
echo "demo repository ready at $dest ($(git rev-parse --short HEAD))"
