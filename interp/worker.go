package interp

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"

	yaegi "github.com/traefik/yaegi/interp"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/svcrt"
)

// WorkerLoader returns how a worker process loads the packages of its
// spec (a worker.LoadFunc): it interprets the code its server prepared,
// with the packages of compiled, compiled into the executable, at hand.
func WorkerLoader(compiled ...yaegi.Exports) func(ctx context.Context, spec *protocol.Spec, p *protocol.PackageSpec, call svcrt.CallFunc, logger *slog.Logger) (*svcrt.Package, error) {
	var once sync.Once
	var loader *Loader
	return func(ctx context.Context, spec *protocol.Spec, p *protocol.PackageSpec, call svcrt.CallFunc, logger *slog.Logger) (*svcrt.Package, error) {
		once.Do(func() {
			loader = NewLoader(Options{
				Unrestricted: spec.Settings.Unrestricted,
				Allow:        spec.Settings.Allow,
				Env:          spec.Settings.Env,
				Logger:       logger,
				Compiled:     compiled,
			})
		})
		var prep Prepared
		if err := json.Unmarshal(p.Prepared, &prep); err != nil {
			return nil, fmt.Errorf("read the prepared package %s: %w", p.Rel, err)
		}
		dir := filepath.Join(spec.Root, filepath.FromSlash(p.Rel))
		src, err := funcs.ParseWith(dir, p.Files, prep.Importer())
		if err != nil {
			return nil, err
		}
		src.ImportPath = prep.ImportPath
		return loader.Run(ctx, src, &prep, call)
	}
}
