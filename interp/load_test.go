package interp_test

import (
	"context"
	"reflect"
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
