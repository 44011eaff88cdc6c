package server

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strings"

	"go.yaml.in/yaml/v4"
)

// RouteEnvPrefix starts the environment variables that route a service:
// MICROFN_ROUTE_IsEven=http://10.0.0.2:8000 (a slash in the route becomes
// an underscore: MICROFN_ROUTE_billing_Charge).
const RouteEnvPrefix = "MICROFN_ROUTE_"

// A RouteTable maps services (by route, "IsEven" or "billing/Charge") or
// whole packages (by directory, "billing") to the base URL of the server
// that serves them.
type RouteTable map[string]string

// ReadRoutes reads a routing file: a JSON or YAML object mapping service
// routes or package directories to base URLs.
//
//	IsEven: http://127.0.0.1:8001
//	billing: http://billing.internal:8000
func ReadRoutes(path string) (RouteTable, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read routes: %w", err)
	}
	var t RouteTable
	if strings.HasSuffix(path, ".json") {
		err = json.Unmarshal(data, &t)
	} else {
		err = yaml.Unmarshal(data, &t)
	}
	if err != nil {
		return nil, fmt.Errorf("read routes %s: %w", path, err)
	}
	return t, t.validate()
}

// RoutesFromEnv reads the MICROFN_ROUTE_* variables of environ.
func RoutesFromEnv(environ []string) (RouteTable, error) {
	t := RouteTable{}
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(k, RouteEnvPrefix) {
			continue
		}
		t[strings.ReplaceAll(strings.TrimPrefix(k, RouteEnvPrefix), "_", "/")] = v
	}
	return t, t.validate()
}

// ParseRoute parses NAME=URL, as --route takes it.
func ParseRoute(s string) (name, base string, err error) {
	name, base, ok := strings.Cut(s, "=")
	if !ok || name == "" || base == "" {
		return "", "", fmt.Errorf("route %q: want NAME=URL", s)
	}
	return strings.Trim(name, "/"), base, checkBaseURL(base)
}

func (t RouteTable) validate() error {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := checkBaseURL(t[k]); err != nil {
			return fmt.Errorf("route %s: %w", k, err)
		}
	}
	return nil
}

func checkBaseURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("want a base URL like http://127.0.0.1:8001, got %q", s)
	}
	return nil
}

// lookup finds the base URL for the service at route in package rel: the
// service's own entry, else its package's.
func (t RouteTable) lookup(route, rel string) (string, bool) {
	if u, ok := t[strings.TrimPrefix(route, "/")]; ok {
		return strings.TrimSuffix(u, "/"), true
	}
	if rel != "." {
		if u, ok := t[rel]; ok {
			return strings.TrimSuffix(u, "/"), true
		}
	}
	return "", false
}
