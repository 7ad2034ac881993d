//go:build tools

// Package tools pins the CLI's main package so `go mod tidy` keeps its
// dependencies in go.sum; scripts/pulumi-cli.sh builds it with `go build`.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
