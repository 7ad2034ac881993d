#!/usr/bin/env bash
# Points the selected Pulumi stack at the real Partner Center, from PARTNER_CENTER_* variables that the CI
# system fills from its secret store. Why not just the variables: stack config wins over environment
# variables, and a stack may hold partnercenter:* values from before (the dev stack's emulator endpoint, say),
# so a real stack sets every key. Secrets are piped on standard input (never on a command line) and stored
# encrypted in the stack config. They also reach the state, encrypted with the stack's secrets provider: the
# Pulumi engine stores the stack config as the inputs of the default dynamic provider. They never reach the
# ResellerRelationship resources' inputs or outputs. Protect the state as you protect the config.
set -euo pipefail
: "${PARTNER_CENTER_TENANT_ID:?set PARTNER_CENTER_TENANT_ID from the CI secret store}"
: "${PARTNER_CENTER_CLIENT_ID:?set PARTNER_CENTER_CLIENT_ID from the CI secret store}"
: "${PARTNER_CENTER_CLIENT_SECRET:?set PARTNER_CENTER_CLIENT_SECRET from the CI secret store}"
: "${PARTNER_CENTER_REFRESH_TOKEN:?set PARTNER_CENTER_REFRESH_TOKEN from the CI secret store}"
pulumi config set partnercenter:endpoint "${PARTNER_CENTER_ENDPOINT:-https://api.partnercenter.microsoft.com}"
pulumi config set partnercenter:authority "${PARTNER_CENTER_AUTHORITY:-https://login.microsoftonline.com}"
pulumi config set partnercenter:tenantId "$PARTNER_CENTER_TENANT_ID"
pulumi config set partnercenter:clientId "$PARTNER_CENTER_CLIENT_ID"
printf '%s' "$PARTNER_CENTER_CLIENT_SECRET" | pulumi config set --secret partnercenter:clientSecret
printf '%s' "$PARTNER_CENTER_REFRESH_TOKEN" | pulumi config set --secret partnercenter:refreshToken
