package interp_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp"
	"github.com/microfn/microfn/svcrt"
)

// writePackage writes files (name to source) into a new directory and
// returns it.
func writePackage(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// parsePackage writes files and parses them with funcs.Load.
func parsePackage(t *testing.T, files map[string]string) *funcs.Package {
	t.Helper()
	src, err := funcs.Load(writePackage(t, files))
	if err != nil {
		t.Fatalf("funcs.Load: %v", err)
	}
	return src
}

// loadFiles writes files, parses them and loads them into the
// interpreter. The package is closed when the test ends.
func loadFiles(t *testing.T, files map[string]string, opts interp.Options, call svcrt.CallFunc) (*svcrt.Package, error) {
	t.Helper()
	src, err := funcs.Load(writePackage(t, files))
	if err != nil {
		return nil, err
	}
	if call == nil {
		call = direct
	}
	pkg, err := interp.NewLoader(opts).Load(context.Background(), src, call)
	if err != nil {
		return nil, err
	}
	t.Cleanup(pkg.Close)
	return pkg, nil
}

// mustLoad is loadFiles for sources that must load.
func mustLoad(t *testing.T, files map[string]string, opts interp.Options, call svcrt.CallFunc) *svcrt.Package {
	t.Helper()
	pkg, err := loadFiles(t, files, opts, call)
	if err != nil {
		t.Fatalf("load: %v", lines(err))
	}
	return pkg
}

// lines spells err with every error of a funcs.ErrorList.
func lines(err error) string {
	var list funcs.ErrorList
	if errors.As(err, &list) {
		return strings.TrimSpace(list.Lines())
	}
	return err.Error()
}

// direct is a CallFunc that invokes the callee in process.
func direct(c *svcrt.Call) error {
	res, err := c.Service.Invoke(c.Ctx, c.Args)
	if err != nil {
		var re *svcrt.ReturnedError
		if errors.As(err, &re) {
			_ = c.Service.Func.SetResults(re.Results, c.Results)
		}
		return err
	}
	return c.Service.Func.SetResults(res, c.Results)
}

// recorder is a CallFunc that records the calls it carries out in process.
type recorder struct {
	mu    sync.Mutex
	calls []*svcrt.Call
	// fail, if set, decides the error of a call instead of invoking it.
	fail func(c *svcrt.Call) error
}

func (r *recorder) call(c *svcrt.Call) error {
	r.mu.Lock()
	r.calls = append(r.calls, c)
	fail := r.fail
	r.mu.Unlock()
	if fail != nil {
		if err := fail(c); err != nil {
			return err
		}
	}
	return direct(c)
}

func (r *recorder) recorded() []*svcrt.Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*svcrt.Call(nil), r.calls...)
}

// service returns the loaded service name.
func service(t *testing.T, pkg *svcrt.Package, name string) *svcrt.Service {
	t.Helper()
	for _, s := range pkg.Services {
		if s.Desc.Name == name {
			return s
		}
	}
	t.Fatalf("no service %s", name)
	return nil
}

// invoke binds args (a JSON object of the parameters, "" for none), calls
// the service and returns its results as JSON.
func invoke(t *testing.T, ctx context.Context, s *svcrt.Service, args string) (string, error) {
	t.Helper()
	in, err := s.Func.BindJSON([]byte(args))
	if err != nil {
		t.Fatalf("bind %s: %v", args, err)
	}
	res, err := s.Invoke(ctx, in)
	if err != nil {
		return "", err
	}
	out, err := s.Func.AppendResults(nil, res)
	if err != nil {
		t.Fatalf("encode results of %s: %v", s.Desc.Name, err)
	}
	return string(out), nil
}

// mustInvoke is invoke for calls that must succeed.
func mustInvoke(t *testing.T, s *svcrt.Service, args string) string {
	t.Helper()
	out, err := invoke(t, context.Background(), s, args)
	if err != nil {
		t.Fatalf("%s(%s): %v", s.Desc.Name, args, err)
	}
	return out
}
