package kubernetes

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

// Sizes of a pod.
const (
	// WorkerMemory is the default memory limit of each worker process of
	// a pod (serve --max-memory): a pod runs the server and one worker,
	// for the package of the services it serves.
	WorkerMemory int64 = 160 << 20
	// ServerMemory is the memory a pod's server takes besides its
	// worker: the container's memory limit is ServerMemory plus the
	// worker's limit (256 MiB by default).
	ServerMemory int64 = 96 << 20
	// WorkerTempSize is the default of the most space the temporary
	// files of each worker process may take (serve --max-temp-size).
	WorkerTempSize int64 = 32 << 20
	// TempHeadroom is what the pod's /tmp volume holds beyond the
	// worker's limit (64 MiB by default), so that a worker writing too
	// much is ended before the kubelet evicts the pod.
	TempHeadroom int64 = 32 << 20
)

// WorkerLimits are the limits of the worker processes of every pod,
// passed to its serve. Zero fields take the defaults: WorkerMemory and
// WorkerTempSize for the two that size the pod, serve's own for the
// others (whose flag is then left out).
type WorkerLimits struct {
	// MaxMemory is the memory limit of each worker process, in bytes
	// (serve --max-memory); the container's memory limit is MaxMemory
	// plus ServerMemory.
	MaxMemory int64
	// MaxTempSize bounds the temporary files of each worker process, in
	// bytes (serve --max-temp-size); the pod's /tmp volume holds
	// MaxTempSize plus TempHeadroom.
	MaxTempSize int64
	// MaxStack is the largest goroutine stack of a worker, in bytes
	// (serve --max-stack).
	MaxStack int64
	// MaxWriteSize is the largest file a worker may write, in bytes
	// (serve --max-write-size).
	MaxWriteSize int64
	// MaxOpenFiles is the most open files of a worker (serve
	// --max-open-files).
	MaxOpenFiles uint64
}

func (l WorkerLimits) withDefaults() (WorkerLimits, error) {
	for _, f := range []struct {
		flag string
		n    int64
	}{{"max memory", l.MaxMemory}, {"max temp size", l.MaxTempSize}, {"max stack", l.MaxStack}, {"max write size", l.MaxWriteSize}} {
		if f.n < 0 {
			return l, fmt.Errorf("%s: want a size of at least 1 byte, got %d", f.flag, f.n)
		}
	}
	if l.MaxMemory == 0 {
		l.MaxMemory = WorkerMemory
	}
	if l.MaxTempSize == 0 {
		l.MaxTempSize = WorkerTempSize
	}
	return l, nil
}

// args are serve's flags of the limits.
func (l WorkerLimits) args() []string {
	args := []string{"--max-memory", SizeArg(l.MaxMemory), "--max-temp-size", SizeArg(l.MaxTempSize)}
	if l.MaxStack > 0 {
		args = append(args, "--max-stack", SizeArg(l.MaxStack))
	}
	if l.MaxWriteSize > 0 {
		args = append(args, "--max-write-size", SizeArg(l.MaxWriteSize))
	}
	if l.MaxOpenFiles > 0 {
		args = append(args, "--max-open-files", strconv.FormatUint(l.MaxOpenFiles, 10))
	}
	return args
}

// memoryLimit is the container's memory limit: the server and its
// worker.
func (l WorkerLimits) memoryLimit() resource.Quantity {
	return *resource.NewQuantity(ServerMemory+l.MaxMemory, resource.BinarySI)
}

// tempLimit is the size of the pod's /tmp volume.
func (l WorkerLimits) tempLimit() resource.Quantity {
	return *resource.NewQuantity(TempHeadroom+l.MaxTempSize, resource.BinarySI)
}

// SizeArg writes a size of bytes as serve reads it: 160MiB, 2GiB, or
// bytes.
func SizeArg(n int64) string {
	for _, u := range []struct {
		shift uint
		unit  string
	}{{30, "GiB"}, {20, "MiB"}, {10, "KiB"}} {
		if n >= 1<<u.shift && n%(1<<u.shift) == 0 {
			return strconv.FormatInt(n>>u.shift, 10) + u.unit
		}
	}
	return strconv.FormatInt(n, 10)
}

// sandboxArgs are serve's flags of what service code may reach.
func sandboxArgs(opts Options) []string {
	var args []string
	if len(opts.Allow) > 0 {
		args = append(args, "--allow", strings.Join(opts.Allow, ","))
	}
	if opts.Unrestricted {
		args = append(args, "--unrestricted")
	}
	return args
}

// validateRun checks the options of what runs in the pods: the image,
// the sandbox and the limits.
func (o Options) validateRun() (Options, error) {
	for _, img := range []string{o.Image, o.AppImage} {
		if strings.ContainsFunc(img, func(r rune) bool { return r <= ' ' }) {
			return o, fmt.Errorf("image %q: want an image reference such as registry.example.com/microfn:v1", img)
		}
	}
	if o.AppImage != "" && o.Image != "" {
		return o, fmt.Errorf("image %s and app image %s: give one (the app image serves the application microfn build made of the folder; the image, microfn with the sources)", o.Image, o.AppImage)
	}
	if o.AppImage == "" && o.Image == "" {
		o.Image = DefaultImage
	}
	var allow []string
	for _, a := range o.Allow {
		if a == "" || strings.ContainsFunc(a, func(r rune) bool { return r <= ' ' || r == ',' }) {
			return o, fmt.Errorf("allow %q: want an import path of the standard library, such as os or net/http", a)
		}
		if !slices.Contains(allow, a) {
			allow = append(allow, a)
		}
	}
	o.Allow = allow
	var err error
	o.Limits, err = o.Limits.withDefaults()
	return o, err
}

// image is the image every pod runs.
func (o Options) image() string {
	if o.AppImage != "" {
		return o.AppImage
	}
	return o.Image
}
