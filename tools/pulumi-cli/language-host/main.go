// Command pulumi-language-nodejs is a minimal Node.js language host, written as test tooling for this
// repository: Pulumi's own host (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) is
// not served by the Go module proxy we build from, so scripts/pulumi-cli.sh builds this one instead.
//
// It implements just enough of the LanguageRuntime gRPC service (pulumi/proto/pulumi/language.proto) for
// `pulumi preview/up/refresh/destroy/import` of a Node.js program whose only resources are dynamic ones:
// no plugins to install, no packages to report. Run starts @pulumi/pulumi's own program runner
// (`node <program>/node_modules/@pulumi/pulumi/cmd/run ...`) with the flags and environment it reads
// (see cmd/run/index.ts and run.ts in the SDK), which then talks to the engine's resource monitor directly.
//
// Protocol, as the engine drives it (sdk/go/common/resource/plugin/langruntime_plugin.go and plugin.go):
// the engine starts this binary as `pulumi-language-nodejs [--logtostderr] [-v=N] [--tracing URL] <engine>`,
// reads the gRPC port from the first stdout line, then calls Handshake, GetRequiredPackages/Plugins, Run.
// Not implemented (Unimplemented): sync invokes through --sync pipes, debugging, codegen, plugin runs, packing.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is the Pulumi release this tooling is built against (see go.mod).
const version = "3.274.1"

// exitUserActionable is the exit code @pulumi/pulumi's runner uses after it has already printed an
// actionable message; the engine then stops without adding its own ("bail").
const exitUserActionable = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engine string // engine gRPC address: the last command-line argument, or the one sent in Handshake
}

func main() {
	h := &host{}
	// Flags the engine may pass (logging, tracing) are ignored; the engine address comes last.
	for _, a := range os.Args[1:] {
		if a == "--version" || a == "-version" {
			fmt.Println(version)
			return
		}
		if !strings.HasPrefix(a, "-") {
			h.engine = a
		}
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-language-nodejs:", err)
		os.Exit(1)
	}
	srv := grpc.NewServer()
	pulumirpc.RegisterLanguageRuntimeServer(srv, h)
	fmt.Println(lis.Addr().(*net.TCPAddr).Port)
	if err := srv.Serve(lis); err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-language-nodejs:", err)
		os.Exit(1)
	}
}

func (h *host) Handshake(_ context.Context, req *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.engine = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// Dynamic providers need no plugin: the engine runs pulumi-resource-pulumi-nodejs found on PATH.
func (h *host) GetRequiredPlugins(context.Context, *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *host) GetRequiredPackages(context.Context, *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *host) GetProgramDependencies(context.Context, *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return &pulumirpc.GetProgramDependenciesResponse{}, nil
}

// InstallDependencies is a no-op: the tests run `npm ci` themselves.
func (h *host) InstallDependencies(*pulumirpc.InstallDependenciesRequest, grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse]) error {
	return nil
}

func (h *host) About(ctx context.Context, _ *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, err
	}
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{Executable: node, Version: strings.TrimSpace(string(out))}, nil
}

// Run runs the program through @pulumi/pulumi's cmd/run and reports how it ended.
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	if info == nil {
		return &pulumirpc.RunResponse{Error: "RunRequest has no program info"}, nil
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on PATH: " + err.Error()}, nil
	}
	runPath, err := findRunner(info.GetProgramDirectory())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	opts := info.GetOptions().AsMap()
	var args []string
	if nodeargs, ok := opts["nodeargs"].(string); ok {
		args = append(args, strings.Fields(nodeargs)...)
	}
	args = append(args, runPath)
	flag := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flag("monitor", req.GetMonitorAddress())
	flag("engine", h.engine)
	flag("organization", req.GetOrganization())
	flag("project", req.GetProject())
	flag("root-directory", info.GetRootDirectory())
	flag("stack", req.GetStack())
	flag("pwd", info.GetProgramDirectory())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	flag("parallel", strconv.Itoa(int(req.GetParallel())))
	entry := info.GetEntryPoint()
	if entry == "" {
		entry = "."
	}
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	// The runner reads config and secret keys from the environment. Keys arrive as "<namespace>:<name>",
	// which @pulumi/pulumi 3.x reads as they are.
	config, err := jsonString(req.GetConfig(), "{}")
	if err != nil {
		return nil, err
	}
	secretKeys, err := jsonString(req.GetConfigSecretKeys(), "[]")
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(), "PULUMI_CONFIG="+config, "PULUMI_CONFIG_SECRET_KEYS="+secretKeys)
	// Pulumi.yaml's runtime option `typescript` defaults to true, as in Pulumi's own host.
	if ts, ok := opts["typescript"].(bool); !ok || ts {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if tsconfig, ok := opts["tsconfig"].(string); ok && tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+tsconfig)
	}

	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Env = env
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			if exit.ExitCode() == exitUserActionable {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exit.ExitCode())}, nil
		}
		return &pulumirpc.RunResponse{Error: "could not run node: " + err.Error()}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// findRunner looks for @pulumi/pulumi/cmd/run in node_modules from dir upwards, as Node would
// (npm workspaces hoist it to the repository root).
func findRunner(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		p := filepath.Join(d, "node_modules", "@pulumi", "pulumi", "cmd", "run")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("@pulumi/pulumi is not installed in %s or above it: run `npm ci` there", dir)
		}
	}
}

// jsonString encodes a map or list, empty ones as {} or [] (never null), for the runner's environment.
func jsonString[T any](v T, empty string) (string, error) {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return empty, err
	}
	return string(b), nil
}
