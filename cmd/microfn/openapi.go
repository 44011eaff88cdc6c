package main

import (
	"context"
	"fmt"
	"io"
)

func openapiCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	srv, code := offlineServer("openapi", "Usage: microfn openapi DIR [flags]\n\nPrint the OpenAPI document of the services below DIR, as /openapi.json serves it,\nwithout starting a server.", args, stderr)
	if srv == nil {
		return code
	}
	defer srv.Close() // its worker processes and their sockets
	doc, err := srv.OpenAPI()
	if err != nil {
		fmt.Fprintln(stderr, "microfn openapi:", err)
		return 1
	}
	_, _ = stdout.Write(doc)
	if reportFailed("openapi", srv, stderr) {
		return 1
	}
	return 0
}
