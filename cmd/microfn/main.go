// Command microfn serves annotated Go functions as HTTP services.
//
// Usage:
//
//	microfn serve DIR [flags]          serve the packages below DIR, reloading on change
//	microfn run DIR NAME [key=value…]  call one service once, in process, and print its result
//	microfn check DIR                  load every package and report every error
//	microfn call NAME [key=value…]     call a service of a running server
//	microfn routes DIR                 print the service table: routes, policies, where each is served
//	microfn openapi DIR                print the OpenAPI document of the services
//	microfn deploy kubernetes DIR      write Kubernetes manifests for the services below DIR
//	microfn build DIR -o FILE          build one executable with every package below DIR compiled in
//	microfn build --with MODULE -o F   build a microfn with Go modules compiled in
//	microfn db migrate|status|shell DIR [NAME]  apply, show or open the databases of the services below DIR
//	microfn cache [clean]              show or clear the cache of compiled workers
//	microfn version                    print the version
//
// Run microfn COMMAND -help for the flags of a command.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/worker"
)

func main() {
	if protocol.IsWorker() {
		// A server started this process to run service code.
		os.Exit(worker.Main(workerCode()))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `microfn serves annotated Go functions as HTTP services.

Usage:

	microfn serve DIR [flags]          serve the packages below DIR, reloading on change
	microfn run DIR NAME [key=value…]  call one service once, in process, and print its result
	microfn check DIR                  load every package and report every error
	microfn call NAME [key=value…]     call a service of a running server
	microfn routes DIR                 print the service table: routes, policies, where each is served
	microfn openapi DIR                print the OpenAPI document of the services
	microfn deploy kubernetes DIR      write Kubernetes manifests for the services below DIR
	microfn build DIR -o FILE          build one executable with every package below DIR compiled in
	microfn build --with MODULE -o F   build a microfn with Go modules compiled in
	microfn cache [clean]              show or clear the cache of compiled workers
	microfn version                    print the version

Run "microfn COMMAND -help" for the flags of a command.
`

// run executes the command line args and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		if prebuilt != nil {
			fmt.Fprintf(stderr, appUsage, filepath.Base(os.Args[0]))
		} else {
			fmt.Fprint(stderr, usage)
		}
		return 2
	}
	cmd, rest := args[0], args[1:]
	if prebuilt != nil {
		return appCommand(ctx, cmd, rest, stdout, stderr)
	}
	switch cmd {
	case "serve":
		return serveCmd(ctx, rest, stdout, stderr)
	case "run":
		return runCmd(ctx, rest, stdout, stderr)
	case "check":
		return checkCmd(ctx, rest, stdout, stderr)
	case "call":
		return callCmd(ctx, rest, stdout, stderr)
	case "routes":
		return routesCmd(ctx, rest, stdout, stderr)
	case "openapi":
		return openapiCmd(ctx, rest, stdout, stderr)
	case "deploy":
		return deployCmd(ctx, rest, stdout, stderr)
	case "build":
		return buildCmd(ctx, rest, stdout, stderr)
	case "db":
		return dbCmd(ctx, rest, stdout, stderr)
	case "cache":
		return cacheCmd(ctx, rest, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "microfn", version())
		return 0
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "microfn: unknown command %q\n\n%s", cmd, usage)
	return 2
}

const appUsage = `This is an application built by microfn build: it serves the packages it was
built with, compiled.

Usage:

	%[1]s serve [flags]             serve them (the flags of microfn serve)
	%[1]s run NAME [key=value…]     call one service once, in process, and print its result
	%[1]s call NAME [key=value…]    call a service of a running server
	%[1]s routes                    print the service table
	%[1]s openapi                   print the OpenAPI document of the services
	%[1]s version                   print microfn's version

Run "%[1]s COMMAND -help" for the flags of a command.
`

// appCommand executes the command line of an application (see prebuilt).
func appCommand(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer) int {
	name := filepath.Base(os.Args[0])
	switch cmd {
	case "serve":
		return serveCmd(ctx, args, stdout, stderr)
	case "run":
		return runCmd(ctx, args, stdout, stderr)
	case "call":
		return callCmd(ctx, args, stdout, stderr)
	case "routes":
		return routesCmd(ctx, args, stdout, stderr)
	case "openapi":
		return openapiCmd(ctx, args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "microfn", version())
		return 0
	case "help", "-h", "-help", "--help":
		fmt.Fprintf(stdout, appUsage, name)
		return 0
	case "check", "build", "deploy", "cache":
		fmt.Fprintf(stderr, "%s: %s works on source: run microfn %s on the folder this application was built from\n", name, cmd, cmd)
		return 2
	}
	fmt.Fprintf(stderr, "%s: unknown command %q\n\n"+appUsage, name, cmd, name)
	return 2
}
