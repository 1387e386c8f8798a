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
#
# From Terraform 1.9 on, go.mod replaces nested modules (the remote-state
# backends azure, consul, cos, gcs, kubernetes, oss, pg, s3, oci, and
# internal/legacy) with directories the module's zip leaves out. Only the
# backend registry (internal/backend/init) imports them, so they are left
# out: their require and replace lines, their imports and the lines that
# use them. The CLI keeps the local backend, which is all the tests use: a
# test CLI, never shipped.
set -euo pipefail
module=${1:?usage: build-cli.sh MODULE VERSION PACKAGE DEST}
version=${2:?usage: build-cli.sh MODULE VERSION PACKAGE DEST}
package=${3:?usage: build-cli.sh MODULE VERSION PACKAGE DEST}
dest=${4:?usage: build-cli.sh MODULE VERSION PACKAGE DEST}
# The build runs in a copy of the module, so a relative DEST is made absolute first.
case $dest in /*) ;; *) dest="$PWD/$dest" ;; esac

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

missing=$(sed -n 's|^replace \([^ ]*\) => \(\./[^ ]*\)$|\1 \2|p' "$src/go.mod" | while read -r mod path; do
  [ -d "$src/$path" ] || echo "$mod"
done)
for mod in $missing; do
  esc=$(printf '%s' "$mod" | sed 's|[.[\*^$/]|\\&|g')
  sed -i "/^replace $esc =>/d; /^[[:space:]]*$esc v/d" "$src/go.mod"
  { grep -rl --include='*.go' --exclude='*_test.go' "\"$mod\"" "$src" || true; } | while read -r f; do
    alias=$(sed -n "s|^[[:space:]]*\([A-Za-z0-9_]*\)[[:space:]]*\"$esc\"\$|\1|p" "$f")
    sed -i "/\"$esc\"\$/d" "$f"
    if [ -n "$alias" ]; then sed -i "/\b$alias\./d" "$f"; fi
  done
  echo "build-cli.sh: left out $mod (not in the module's zip)"
done
(cd "$src" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath \
  -ldflags "-s -w -X ${module}/version.dev=no" -o "$dest.tmp" "$package")
mv "$dest.tmp" "$dest"
"$dest" version 2>/dev/null | sed -n 1p || true
