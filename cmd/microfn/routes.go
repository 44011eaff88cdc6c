package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
)

func routesCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	srv, code := offlineServer("routes", "Usage: microfn routes DIR [flags]\n\nPrint the service table of the packages below DIR: name, route, package, policy,\nand where each service is served, given the same --only and --route flags as serve.", args, stderr)
	if srv == nil {
		return code
	}
	defer srv.Close() // its worker processes and their sockets
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROUTE\tPACKAGE\tSERVED AT\tPOLICY")
	for _, s := range srv.Services() {
		where := s.Where
		if where == "" {
			where = "(no route)"
		}
		fmt.Fprintf(tw, "%s\t/%s\t%s\t%s\t%s\n", s.Desc.Name, s.Route, s.Package, where, s.Policy)
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintln(stderr, "microfn routes:", err)
		return 1
	}
	if reportFailed("routes", srv, stderr) {
		return 1
	}
	return 0
}
