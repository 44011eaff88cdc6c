package wire_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/wire"
)

func TestAppendArgsRoundTrip(t *testing.T) {
	f := newFunc(t, "(ctx context.Context, n int, s string, in Inner, xs []int, m map[Name]float64, p *Recursive, tm time.Time, d time.Duration, b []byte, a any) error",
		func(context.Context, int, string, Inner, []int, map[Name]float64, *Recursive, time.Time, time.Duration, []byte, any) error {
			return nil
		})
	args := []reflect.Value{
		reflect.ValueOf(-7),
		reflect.ValueOf("<&> \u2028 \xff"),
		reflect.ValueOf(Inner{A: 1, B: "b"}),
		reflect.ValueOf([]int(nil)),
		reflect.ValueOf(map[Name]float64{"pi": 3.14, "neg": -0.5, "big": 1e300}),
		reflect.ValueOf(&Recursive{Name: "r", Kids: []Recursive{{Name: "k"}}}),
		reflect.ValueOf(nanos.In(paris)),
		reflect.ValueOf(90 * time.Minute),
		reflect.ValueOf([]byte{0, 1, 2, 255}),
		reflect.ValueOf(map[string]any{"list": []any{1.5, "x", nil, true}}),
	}
	body, err := f.AppendArgs(nil, args)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"n":-7,"s":"\u003c\u0026\u003e \u2028 \ufffd","in":{"A":1,"b":"b"},"xs":null,"m":{"big":1e+300,"neg":-0.5,"pi":3.14},` +
		`"p":{"Name":"r","Kids":[{"Name":"k","Kids":null}]},"tm":"2024-01-02T04:04:05.123456789+01:00","d":5400000000000,"b":"AAEC/w==",` +
		`"a":{"list":[1.5,"x",null,true]}}`
	if string(body) != want {
		t.Errorf("AppendArgs:\n got %s\nwant %s", body, want)
	}
	got, err := f.BindJSON(body)
	if err != nil {
		t.Fatalf("BindJSON(AppendArgs): %v", err)
	}
	for i := range args {
		w := args[i].Interface()
		switch x := w.(type) {
		case string:
			w = strings.ToValidUTF8(x, "\ufffd") // JSON carries valid UTF-8 only
		case time.Time:
			_, offset := x.Zone()
			w = x.In(time.FixedZone("", offset)) // zone names do not travel
		}
		if !reflect.DeepEqual(got[i].Interface(), w) {
			t.Errorf("argument %d: got %#v, want %#v", i, got[i].Interface(), w)
		}
	}

	// A value JSON cannot carry is an error naming the argument.
	args[2] = reflect.ValueOf(Inner{})
	args[9] = reflect.ValueOf([]any{1, func() {}})
	if _, err := f.AppendArgs(nil, args); err == nil || !strings.Contains(err.Error(), "argument a") {
		t.Errorf("AppendArgs with a func in an any: %v", err)
	}
}

func TestResultsRoundTrip(t *testing.T) {
	t.Run("none", func(t *testing.T) {
		f := newFunc(t, "() error", func() error { return nil })
		body, err := f.AppendResults(nil, nil)
		if err != nil || string(body) != "null" {
			t.Errorf("AppendResults = %s, %v; want null", body, err)
		}
		if err := f.DecodeResults(body, nil); err != nil {
			t.Errorf("DecodeResults: %v", err)
		}
		if err := f.DecodeResults(body, []any{new(int)}); err == nil {
			t.Error("DecodeResults with a destination too many succeeded")
		}
	})
	t.Run("one", func(t *testing.T) {
		f := newFunc(t, "() (*Recursive, error)", func() (*Recursive, error) { return nil, nil })
		in := &Recursive{Name: "a", Next: &Recursive{Name: "b"}}
		body, err := f.AppendResults(nil, []reflect.Value{reflect.ValueOf(in)})
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := json.Marshal(in); string(body) != string(want) {
			t.Errorf("AppendResults = %s, want %s", body, want)
		}
		var out *Recursive
		if err := f.DecodeResults(body, []any{&out}); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(out, in) {
			t.Errorf("DecodeResults = %+v, want %+v", out, in)
		}
		for _, bad := range []string{`{"Name":1}`, `{"Name":"a"`, `{} {}`, `[]`} {
			if err := f.DecodeResults([]byte(bad), []any{&out}); err == nil || !strings.Contains(err.Error(), "F") {
				t.Errorf("DecodeResults(%s): %v", bad, err)
			}
		}
		if err := f.DecodeResults(body, []any{*out}); err == nil {
			t.Error("DecodeResults into a non-pointer succeeded")
		}
		var wrong Recursive
		if err := f.DecodeResults(body, []any{&wrong}); err == nil || !strings.Contains(err.Error(), "does not fit") {
			t.Errorf("DecodeResults into a destination of another type: %v", err)
		}
		if err := f.DecodeResults(body, []any{(*Recursive)(nil)}); err == nil {
			t.Error("DecodeResults into a nil pointer succeeded")
		}
	})
	t.Run("several", func(t *testing.T) {
		f := newFunc(t, "() (int, string, []Inner, map[string]any, time.Time, error)",
			func() (int, string, []Inner, map[string]any, time.Time, error) {
				return 0, "", nil, nil, time.Time{}, nil
			})
		results := []reflect.Value{
			reflect.ValueOf(42),
			reflect.ValueOf("s"),
			reflect.ValueOf([]Inner{{A: 1}, {B: "b"}}),
			reflect.ValueOf(map[string]any{"k": []any{1.0}}),
			reflect.ValueOf(day),
		}
		body, err := f.AppendResults(nil, results)
		if err != nil {
			t.Fatal(err)
		}
		const want = `[42,"s",[{"A":1,"b":""},{"A":0,"b":"b"}],{"k":[1]},"2024-01-02T03:04:05Z"]`
		if string(body) != want {
			t.Errorf("AppendResults:\n got %s\nwant %s", body, want)
		}
		var (
			n   int
			s   string
			ins []Inner
			m   map[string]any
			tm  time.Time
		)
		if err := f.DecodeResults(body, []any{&n, &s, &ins, &m, &tm}); err != nil {
			t.Fatal(err)
		}
		got := []any{n, s, ins, m, tm}
		for i, r := range results {
			if !reflect.DeepEqual(got[i], r.Interface()) {
				t.Errorf("result %d: got %#v, want %#v", i+1, got[i], r.Interface())
			}
		}
		for _, bad := range []string{`42`, `[42,"s"]`, `[42,"s",[],{},"2024-01-02T03:04:05Z",1]`} {
			if err := f.DecodeResults([]byte(bad), []any{&n, &s, &ins, &m, &tm}); err == nil || !strings.Contains(err.Error(), "array of 5") {
				t.Errorf("DecodeResults(%s): %v", bad, err)
			}
		}
		if err := f.DecodeResults([]byte(`[1,2,[],{},"2024-01-02T03:04:05Z"]`), []any{&n, &s, &ins, &m, &tm}); err == nil || !strings.Contains(err.Error(), "result 2") {
			t.Errorf("DecodeResults with a bad second result: %v", err)
		}
		results[0] = reflect.ValueOf(1)
		results[3] = reflect.ValueOf(map[string]any{"c": make(chan int)})
		if _, err := f.AppendResults(nil, results); err == nil || !strings.Contains(err.Error(), "result 4") {
			t.Errorf("AppendResults with a channel: %v", err)
		}
	})
}

func TestValuesAndSetResults(t *testing.T) {
	f := newFunc(t, "(n int, c Celsius, p *Inner) (int, string)", func(int, Celsius, *Inner) (int, string) { return 0, "" })
	args, err := f.Values([]any{int64(5), 1.5, nil})
	if err != nil {
		t.Fatal(err)
	}
	if got := values(args); !reflect.DeepEqual(got, []any{5, Celsius(1.5), (*Inner)(nil)}) {
		t.Errorf("Values = %#v", got)
	}
	if _, err := f.Values([]any{1, 2}); err == nil {
		t.Error("Values with too few arguments succeeded")
	}
	if _, err := f.Values([]any{"x", 1.5, nil}); err == nil || !strings.Contains(err.Error(), "argument 1") {
		t.Errorf("Values with a string for an int: %v", err)
	}

	var n int
	var s string
	if err := f.SetResults([]reflect.Value{reflect.ValueOf(3), reflect.ValueOf("x")}, []any{&n, &s}); err != nil || n != 3 || s != "x" {
		t.Errorf("SetResults: %d %q %v", n, s, err)
	}
	if err := f.SetResults([]reflect.Value{reflect.ValueOf(3)}, []any{&n, &s}); err == nil {
		t.Error("SetResults with a missing result succeeded")
	}
	if err := f.SetResults([]reflect.Value{reflect.ValueOf(3), reflect.ValueOf("x")}, []any{n, &s}); err == nil {
		t.Error("SetResults into a non-pointer succeeded")
	}
	if err := f.SetResults([]reflect.Value{reflect.ValueOf(3), reflect.ValueOf("x")}, []any{&s, &n}); err == nil {
		t.Error("SetResults into destinations of other types succeeded")
	}
	if f.Usage() != "n int, c Celsius, p *Inner" || f.Descriptor().Name != "F" {
		t.Errorf("Usage %q, Descriptor %s", f.Usage(), f.Descriptor().Name)
	}
}

func TestNewFuncMismatch(t *testing.T) {
	pkg, err := funcs.Parse(".", []funcs.SourceFile{{Name: "a.go", Src: []byte(`package p

type P struct{ X int }

//microfn:service
func F(ctx context.Context, a int, p P) (string, error) { return "", nil }
`)}})
	if err != nil {
		t.Fatal(err)
	}
	d := pkg.Services[0]
	for _, fn := range []any{
		0,
		func(int, struct{ X int }) (string, error) { return "", nil },                        // no context
		func(context.Context, int, struct{ X int }) string { return "" },                     // no error
		func(context.Context, int, int) (string, error) { return "", nil },                   // int for P
		func(context.Context, int, map[string]int) (string, error) { return "", nil },        // map for P
		func(context.Context, int, struct{ X int }, bool) (string, error) { return "", nil }, // a parameter too many
	} {
		if _, err := wire.NewCodec().NewFunc(d, reflect.TypeOf(fn)); err == nil {
			t.Errorf("NewFunc(%T) succeeded", fn)
		}
	}
	if _, err := wire.NewCodec().NewFunc(d, reflect.TypeOf(func(context.Context, int, struct{ X int }) (string, error) { return "", nil })); err != nil {
		t.Errorf("NewFunc with the interpreter's unnamed struct: %v", err)
	}
}
