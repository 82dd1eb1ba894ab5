#!/bin/bash
#
# Copyright 2024 gRPC authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.
#
# install-protoc.sh
  case "$(uname -s)" in
    "Darwin") OS="osx";;
    "Linux")  OS="linux";;
    *)        die "Install unsuccessful. OS not supported by installer: $2";;
  esac

  # Check if the protoc binary with the right version is already installed.
  if [[ -f "${INSTALL_PATH}/bin/protoc" ]]; then
    if [[ "$("${INSTALL_PATH}/bin/protoc" --version)" == "libprotoc ${PROTOC_VERSION}" ]]; then
      echo "protoc version ${PROTOC_VERSION} is already installed in ${INSTALL_PATH}"
      return
    fi
  fi

  DOWNLOAD_URL="https://github.com/protocolbuffers/protobuf/releases/download/v${PROTOC_VERSION}/protoc-${PROTOC_VERSION}-${OS}-${ARCH}.zip"

  # -L follows redirects.
  # -O writes output to a file.
  curl -LO "${DOWNLOAD_URL}"

  # Unzip the downloaded file and except readme.txt.
