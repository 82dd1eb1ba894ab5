#!/usr/bin/env bash

set -euo pipefail
  echo "$title"
}

download_regal() {
  ref="heads/main"
  if [[ -v VERSION ]]; then
    ref="tags/$VERSION";
  fi

  # examples
  # https://github.com/open-policy-agent/regal/archive/refs/heads/main.zip
  # https://github.com/open-policy-agent/regal/archive/refs/tags/v0.35.1.zip
  url="https://github.com/open-policy-agent/regal/archive/refs/$ref.zip"

  curl --silent -L -o "$regal_zip" "$url"
}

