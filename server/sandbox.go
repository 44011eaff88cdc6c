package server

import (
	"path/filepath"
	"slices"

	"github.com/microfn/microfn/protocol"
)

// runtimeReads are what Go reads at run time, which a worker may read
// whatever its sandbox: time zones, certificate roots, name resolution.
// Not /proc: the runtime reads it at start only, before the worker is
// confined.
var (
	runtimeReadDirs  = []string{"/sys/fs/cgroup", "/usr/share/zoneinfo", "/usr/lib/go/lib/time", "/etc/ssl/certs", "/etc/pki/tls/certs", "/usr/share/ca-certificates"}
	runtimeReadFiles = []string{"/etc/localtime", "/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/services", "/etc/ssl/cert.pem"}
)

// workerSandbox is what the operating system lets a worker reach: read
// the served folder and what Go reads at run time, never the files of the
// server's secrets, and nothing more unless --allow os (the file system),
// --allow net (TCP and UDP sockets) or --unrestricted says so. A worker
// needs no socket of its own: its connection to this server is the one it
// is started with, and the server makes the calls to the routes' servers.
func (s *Server) workerSandbox() protocol.Sandbox {
	sb := protocol.Sandbox{
		Off:       s.cfg.unrestricted,
		ReadDirs:  append([]string{s.root}, runtimeReadDirs...),
		ReadFiles: runtimeReadFiles,
		Hidden:    s.cfg.secretFiles,
	}
	if abs, err := filepath.Abs(s.root); err == nil {
		sb.ReadDirs[0] = abs
	}
	if s.cfg.prebuilt != nil {
		sb.ReadDirs = sb.ReadDirs[1:] // an application has no folder
	}
	for _, a := range s.cfg.allow {
		switch a {
		case "os":
			sb.OpenFS = true
		case "net":
			sb.OpenNet = true
		}
	}
	s.state.sandbox(&sb)
	return sb
}

// prepareSandbox is the sandbox of a prepare process, made from sb, a
// worker's: it connects nowhere (no socket at all) and writes nothing,
// and it reads the export data files exports besides.
func prepareSandbox(sb protocol.Sandbox, exports map[string]string) protocol.Sandbox {
	sb.OpenNet = false
	sb.DatabasePorts = nil
	sb.WriteDirs = nil
	sb.ReadFiles = slices.Clone(sb.ReadFiles)
	for _, f := range exports {
		sb.ReadFiles = append(sb.ReadFiles, f)
	}
	return sb
}
