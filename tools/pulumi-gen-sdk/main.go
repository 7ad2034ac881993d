// Command gen-sdk writes the Node.js, Python and Go SDKs of a Pulumi package schema with pkg/v3's codegen
// packages (test tooling). `pulumi package gen-sdk` asks a language host for each language, and this machine
// has only our minimal Node.js host and Pulumi YAML's; .NET's codegen is not in pkg/v3.
//
//	gen-sdk <schema.json> <out dir> [nodejs|python|go ...]
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blang/semver"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// noPackages loads no other package: the partnercenter schema refers to none.
type noPackages struct{}

func (noPackages) LoadPackage(pkg string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("package %s is not available", pkg)
}

func (noPackages) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, fmt.Errorf("package %s is not available", d.Name)
}

func (noPackages) LoadPackageReference(pkg string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, fmt.Errorf("package %s is not available", pkg)
}

func (noPackages) LoadPackageReferenceV2(
	_ context.Context, d *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return nil, fmt.Errorf("package %s is not available", d.Name)
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gen-sdk:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) < 2 {
		return fmt.Errorf("usage: gen-sdk <schema.json> <out dir> [nodejs|python|go ...]")
	}
	languages := args[2:]
	if len(languages) == 0 {
		languages = []string{"nodejs", "python", "go"}
	}
	text, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(text, &spec); err != nil {
		return err
	}
	for _, lang := range languages {
		// Each generator records its language's info in the package: bind afresh for each.
		pkg, diags, err := schema.BindSpec(spec, noPackages{}, schema.ValidationOptions{})
		if err != nil {
			return err
		}
		if diags.HasErrors() {
			return diags
		}
		var files map[string][]byte
		switch lang {
		case "nodejs":
			files, err = nodejs.GeneratePackage("gen-sdk", pkg, nil, nil, false, noPackages{})
		case "python":
			files, err = python.GeneratePackage("gen-sdk", pkg, nil, noPackages{})
		case "go":
			files, err = gogen.GeneratePackage("gen-sdk", pkg, nil)
		default:
			return fmt.Errorf("unknown language %q (nodejs, python or go)", lang)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", lang, err)
		}
		for name, body := range files {
			p := filepath.Join(args[1], lang, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(p, body, 0o644); err != nil {
				return err
			}
		}
		fmt.Printf("%s: %d files\n", lang, len(files))
	}
	return nil
}
