#!/usr/bin/env bash
# Builds a Terraform or OpenTofu CLI from the Go module proxy:
#
#   build-cli.sh MODULE VERSION PACKAGE DEST/BINARY
#
# e.g. build-cli.sh github.com/opentofu/opentofu 1.12.6 ./cmd/tofu bin/tofu-1.12.6/tofu
#
# `go install MODULE/PACKAGE@vX` is refused for modules whose go.mod has
# replace directives (OpenTofu; Terraform from 1.6 on), but such a module
# builds as its own main module: download it into the module cache, copy it
# to a writable folder beside DEST, and build PACKAGE there. The version
# package's dev flag is set to "no", as the projects' own release builds do.
# Nothing is downloaded but Go modules.
set -euo pipefail
module=${1:?usage: build-cli.sh MODULE VERSION PACKAGE DEST}
version=${2:?usage: build-cli.sh MODULE VERSION PACKAGE DEST}
package=${3:?usage: build-cli.sh MODULE VERSION PACKAGE DEST}
dest=${4:?usage: build-cli.sh MODULE VERSION PACKAGE DEST}

dir=$(go mod download -json "${module}@v${version}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
if [ -z "$dir" ] || [ ! -d "$dir" ]; then
  echo "build-cli.sh: the Go module proxy did not serve ${module}@v${version}" >&2
  exit 1
fi
mkdir -p "$(dirname "$dest")"
src=$(mktemp -d "$(dirname "$dest")/src.XXXXXX")
trap 'chmod -R u+w "$src" 2>/dev/null; rm -rf "$src"' EXIT
cp -R "$dir/." "$src"
chmod -R u+w "$src"
(cd "$src" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath \
  -ldflags "-s -w -X ${module}/version.dev=no" -o "$dest.tmp" "$package")
mv "$dest.tmp" "$dest"
"$dest" version 2>/dev/null | sed -n 1p || true
