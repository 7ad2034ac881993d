#!/usr/bin/env bash
# Builds the real `pulumi` CLI (v3.274.1), a Node.js language host and Pulumi YAML's language host from
# Pulumi's published Go modules, and caches them in .cache/pulumi/bin (git-ignored). Machines with internet access can use Pulumi's
# official installer instead (https://www.pulumi.com/docs/iac/download-install/); this script is for
# machines that only reach the Go module proxy, like our CI.
#
#   scripts/pulumi-cli.sh          build if needed, print the bin folder
#   scripts/pulumi-cli.sh --env    build if needed, print `export` lines: eval "$(scripts/pulumi-cli.sh --env)"
#
# The environment is offline: no update check, no plugin downloads, PULUMI_HOME inside the cache. Callers
# choose the backend (PULUMI_BACKEND_URL=file://<dir>) and PULUMI_CONFIG_PASSPHRASE themselves.
#
# Why a wrapper module (tools/pulumi-cli): `go install …@version` refuses modules with replace directives,
# and pkg/v3 has two. The wrapper requires pkg/v3 and sdk/v3 and repeats the non-local replace; its go.sum
# makes the build reproducible. Pulumi's own language host module is not served by the proxy, so
# tools/pulumi-cli/language-host is a minimal one of ours (test tooling).
# Pulumi YAML's host (github.com/pulumi/pulumi-yaml v1.25.0) does not compile against pkg/v3 v3.274.1, so it
# has a wrapper module of its own, tools/pulumi-language-yaml, pinning the pkg/sdk v3.206.0 it asks for;
# tools/pulumi-gen-sdk generates the provider plugin's SDKs (`pulumi package gen-sdk` needs language hosts
# this machine does not have).
# First build on 2 cores: about 4.5 minutes (plus the module download); later runs: under a second.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${PULUMI_CLI_CACHE:-$ROOT/.cache/pulumi}"
BIN="$CACHE/bin"
TOOLS="$ROOT/tools/pulumi-cli"
VERSION="3.274.1"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"

# The build is redone when the wrapper module or the language host changes.
stamp="$(cat "$TOOLS/go.mod" "$TOOLS/go.sum" "$TOOLS/language-host/main.go" | sha256sum | cut -c1-16)"
if [[ ! -x "$BIN/pulumi" || ! -x "$BIN/pulumi-language-nodejs" || "$(cat "$BIN/.stamp" 2>/dev/null)" != "$stamp" ]]; then
  if [[ ! -x "$GO" ]]; then
    echo "pulumi-cli.sh: Go is needed to build the Pulumi CLI (set GO=/path/to/go), or install the CLI with Pulumi's installer." >&2
    exit 1
  fi
  mkdir -p "$BIN"
  echo "pulumi-cli.sh: building pulumi v$VERSION and pulumi-language-nodejs into $BIN (first time: several minutes)" >&2
  start=$SECONDS
  (
    cd "$TOOLS"
    export GOFLAGS=-mod=readonly
    "$GO" build -trimpath -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$VERSION" \
      -o "$BIN/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
    "$GO" build -trimpath -o "$BIN/pulumi-language-nodejs" ./language-host
  )
  echo "$stamp" >"$BIN/.stamp"
  echo "pulumi-cli.sh: built in $((SECONDS - start)) s" >&2
fi

# Wrapper modules of their own (a stamp each: changing one never rebuilds another or the CLI):
# build_wrapper <module dir> <binary> <package>
build_wrapper() {
  local dir="$ROOT/tools/$1" bin="$BIN/$2" pkg="$3" stamp
  stamp="$(cat "$dir"/go.mod "$dir"/go.sum "$dir"/*.go 2>/dev/null | sha256sum | cut -c1-16)"
  if [[ -x "$bin" && "$(cat "$BIN/.stamp-$2" 2>/dev/null)" == "$stamp" ]]; then return; fi
  if [[ ! -x "$GO" ]]; then
    echo "pulumi-cli.sh: Go is needed to build $2 (set GO=/path/to/go)." >&2
    exit 1
  fi
  echo "pulumi-cli.sh: building $2 into $BIN" >&2
  local start=$SECONDS
  (cd "$dir" && GOFLAGS=-mod=readonly "$GO" build -trimpath -o "$bin" "$pkg")
  echo "$stamp" >"$BIN/.stamp-$2"
  echo "pulumi-cli.sh: built $2 in $((SECONDS - start)) s" >&2
}
# Pulumi YAML's language host: about 2 minutes the first time on 2 cores.
build_wrapper pulumi-language-yaml pulumi-language-yaml github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml
# SDKs of the provider plugin's schema (Node.js, Python, Go) with pkg/v3's codegen: about 1 minute.
build_wrapper pulumi-gen-sdk pulumi-gen-sdk .

# The dynamic provider plugin: @pulumi/pulumi's own script. The engine shows provider stdout/stderr as
# info lines only while the plugin has this name.
plugin="$ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
if [[ ! -e "$plugin" ]]; then
  echo "pulumi-cli.sh: $plugin is missing: run \`npm ci\` in $ROOT first." >&2
  exit 1
fi
ln -sfn "$plugin" "$BIN/pulumi-resource-pulumi-nodejs"
mkdir -p "$CACHE/home"

if [[ "${1:-}" == "--env" ]]; then
  printf 'export PATH=%q:"$PATH"\n' "$BIN"
  printf 'export PULUMI_HOME=%q\n' "$CACHE/home"
  echo 'export PULUMI_SKIP_UPDATE_CHECK=true'
  echo 'export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true'
  echo 'export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true'
else
  echo "$BIN"
fi
