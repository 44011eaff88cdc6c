package server

import (
	"sort"
	"strings"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/policy"
)

// ServiceInfo describes one service the server knows, served or routed.
type ServiceInfo struct {
	// Route is the service's route without the leading slash:
	// "IsEven", "billing/Charge".
	Route string
	// Package is the package directory relative to the root, "." for the
	// root.
	Package string
	// Desc describes the function.
	Desc *funcs.Descriptor
	// Policy is the service's policy: defaults, then its options.
	Policy policy.Policy
	// Local reports whether this server serves it.
	Local bool
	// Where is "local" for served services, else the base URL of the
	// server that serves it, or "" when it has no route.
	Where string
}

// Services lists every service of the loaded packages, sorted by route.
func (s *Server) Services() []ServiceInfo {
	var out []ServiceInfo
	s.packages.each(func(st *pkgState) {
		if st.current == nil {
			return
		}
		for _, e := range st.current.endpoints {
			info := ServiceInfo{
				Route:   strings.TrimPrefix(e.route, "/"),
				Package: st.rel,
				Desc:    e.desc,
				Policy:  e.policy,
				Local:   e.local,
				Where:   "local",
			}
			if !e.local {
				info.Where, _ = s.cfg.routes.lookup(e.route, st.rel)
			}
			out = append(out, info)
		}
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Route < out[j].Route })
	return out
}
