package interp_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp"
	"github.com/microfn/microfn/svcrt"
)

// inProcess returns a CallFunc that invokes the callee directly and
// counts calls.
func inProcess(count *int) svcrt.CallFunc {
	return func(c *svcrt.Call) error {
		*count++
		res, err := c.Service.Invoke(c.Ctx, c.Args)
		if err != nil {
			return err
		}
		return c.Service.Func.SetResults(res, c.Results)
	}
}

func TestLoadSeed(t *testing.T) {
	src, err := funcs.Load("../examples/seed")
	if err != nil {
		t.Fatal(err)
	}
	l := interp.NewLoader(interp.Options{})
	n := 0
	pkg, err := l.Load(context.Background(), src, inProcess(&n))
	if err != nil {
		t.Fatal(err)
	}
	defer pkg.Close()
	for _, s := range pkg.Services {
		if s.Desc.Name != "Fib" {
			continue
		}
		args, err := s.Func.BindText([]string{"n=10"})
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.Invoke(context.Background(), args)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := s.Func.AppendResults(nil, res)
		if string(out) != "89" || n != 176 {
			t.Fatalf("Fib(10) = %s with %d nested calls", out, n)
		}
	}
	_ = reflect.Value{}
}

// TestUninterpretable: correct Go the interpreter cannot run (a function
// written in assembly, a type recursive through a function type) is
// prepared, with its version for the compiler, and Run refuses it at the
// construct's position, saying the compiled tier serves it.
func TestUninterpretable(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, src, pos, words string
	}{
		{"assembly", "package a\n\nfunc add(x, y int) int\n\n//microfn:service\nfunc Add(x int) int { return add(x, 1) }\n", "a.go:3:6", "function add has no Go body"},
		{"recursive function type", "package a\n\ntype stateFn func() stateFn\n\n//microfn:service\nfunc Run() int { var f stateFn; _ = f; return 1 }\n", "a.go:3:6", "refers to itself"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			src := parsePackage(t, map[string]string{"a.go": c.src})
			l := interp.NewLoader(interp.Options{})
			prep, err := l.Prepare(src)
			if err != nil {
				t.Fatalf("Prepare: %v", lines(err))
			}
			if len(prep.Compiled) == 0 || prep.CompileError() != nil {
				t.Errorf("no version for the compiler: %v", prep.CompileError())
			}
			_, err = l.Run(context.Background(), src, prep.ForInterpreter(), direct)
			var list funcs.ErrorList
			if !errors.As(err, &list) || len(list) != 1 || !strings.HasSuffix(list[0].Pos.String(), c.pos) || !strings.Contains(list[0].Msg, c.words) {
				t.Fatalf("Run: %v, want one error at %s saying %q", lines(err), c.pos, c.words)
			}
		})
	}
}
