//go:build tools

// Package tools pins Pulumi YAML's language host so `go mod tidy` keeps its
// dependencies in go.sum; scripts/pulumi-cli.sh builds it with `go build`.
package tools

import _ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
