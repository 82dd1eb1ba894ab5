#!/usr/bin/env bash
# Installs the Debian package chromium (the headless browser the dashboard's
# end-to-end test drives) when no Chromium is on PATH. Needs root (CI is).
set -euo pipefail
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" >/dev/null; then exit 0; fi
done
if [ "$(id -u)" != 0 ]; then
  echo "install-chromium: no Chromium, and not root: run 'apt-get install chromium' as root" >&2
  exit 1
fi
echo "install-chromium: installing the Debian package chromium"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
command -v chromium >/dev/null
