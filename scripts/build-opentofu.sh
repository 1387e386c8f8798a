#!/usr/bin/env bash
# Builds OpenTofu VERSION from the Go module proxy into DEST/tofu.
#
# `go install github.com/opentofu/opentofu/cmd/tofu@vX` is refused (its
# go.mod has replace directives), but the module builds as its own main
# module: download it into the module cache, copy it to a writable folder,
# and build ./cmd/tofu there. Nothing is downloaded but Go modules.
set -euo pipefail
version=${1:?usage: build-opentofu.sh VERSION DEST}
dest=${2:?usage: build-opentofu.sh VERSION DEST}

dir=$(go mod download -json "github.com/opentofu/opentofu@v${version}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
if [ -z "$dir" ] || [ ! -d "$dir" ]; then
  echo "build-opentofu.sh: the Go module proxy did not serve github.com/opentofu/opentofu@v${version}" >&2
  exit 1
fi
mkdir -p "$dest"
src=$(mktemp -d "${dest%/}/src.XXXXXX")
trap 'chmod -R u+w "$src" 2>/dev/null; rm -rf "$src"' EXIT
cp -R "$dir/." "$src"
chmod -R u+w "$src"
# dev=no marks it a release build, as OpenTofu's own release does.
(cd "$src" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath \
  -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" -o "$dest/tofu.tmp" ./cmd/tofu)
mv "$dest/tofu.tmp" "$dest/tofu"
out=$("$dest/tofu" version 2>/dev/null)
echo "${out%%$'\n'*}"
