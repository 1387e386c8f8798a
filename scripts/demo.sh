#!/usr/bin/env bash
# Runs `terraform plan` on examples/demo against the emulator of both vendor
# APIs: builds the provider and the emulator into a temporary directory,
# serves the emulator on a free loopback port, points Terraform at the build
# with dev_overrides, and removes everything when done. No account, no network.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
terraform=${TERRAFORM:-terraform}
work=$(mktemp -d "${TMPDIR:-/tmp}/endpointgroups-demo.XXXXXX")
emulator_pid=""

cleanup() {
  if [ -n "$emulator_pid" ]; then
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "==> Building the provider and the emulator"
(cd "$root" && go build -o "$work/bin/terraform-provider-endpointgroups" -ldflags "-X main.version=demo" .)
(cd "$root" && go build -o "$work/endpointgroups-emulator" ./internal/emulator/cmd/endpointgroups-emulator)

echo "==> Starting the emulator of the OPSWAT and Dr.Web APIs on 127.0.0.1"
"$work/endpointgroups-emulator" -addr-file "$work/addr" >"$work/emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 1 100); do
  [ -s "$work/addr" ] && break
  if ! kill -0 "$emulator_pid" 2>/dev/null; then
    cat "$work/emulator.log" >&2
    echo "the emulator did not start" >&2
    exit 1
  fi
  sleep 0.1
done
url=$(cat "$work/addr")
[ -n "$url" ] || { echo "the emulator did not report its address" >&2; exit 1; }
echo "    serving $url"

cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "endpointgroups/endpointgroups" = "$work/bin"
  }
  direct {}
}
RC
cp -R "$root/examples/demo" "$work/demo"

export TF_CLI_CONFIG_FILE="$work/terraformrc"
export TF_DATA_DIR="$work/demo/.terraform"
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
export OPSWAT_BASE_URL="$url" OPSWAT_CLIENT_ID=demo-client OPSWAT_CLIENT_SECRET=demo-secret
export DRWEB_URL="$url" DRWEB_LOGIN=admin DRWEB_PASSWORD=demo-password

color=()
[ -t 1 ] || color=(-no-color)

echo "==> terraform plan (examples/demo)"
"$terraform" -chdir="$work/demo" plan -input=false -lock=false "${color[@]}"

kill "$emulator_pid" && wait "$emulator_pid" 2>/dev/null || true
emulator_pid=""
echo "==> What the emulated APIs received for this plan"
sed -n '/^requests received/,$p' "$work/emulator.log"
