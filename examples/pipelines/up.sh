#!/usr/bin/env bash
# The pipelines' update step: select the stack, point it at Partner Center from the CI secret store, update.
# A failing config step (a missing secret) stops here, before `pulumi up`: otherwise `up` would run with
# Pulumi.yaml's emulator defaults and store them in the state.
# Needs STACK and the PARTNER_CENTER_* variables of set-stack-config.sh.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pulumi stack select "${STACK:?set STACK to the stack name}"
"$here/set-stack-config.sh"
pulumi up --yes --skip-preview
