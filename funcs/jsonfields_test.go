package funcs_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestJSONFields: keys, paths and the flags of promoted fields, as
// encoding/json flattens embedded structs (the codec's tests compare the
// encoding itself with encoding/json).
func TestJSONFields(t *testing.T) {
	pkg := mustParse(t, `package a

type Base struct {
	ID   int
	Name string
}

type hidden struct{ H int }

type inner struct{ I int }

type Outer struct {
	*Base
	*hidden
	inner  `+"`json:\"in\"`"+`
	Name   string
	Skip   int `+"`json:\"-\"`"+`
	secret int
}

//microfn:service
func S(o Outer) {}
`)
	typ, ok := pkg.LookupType("Outer")
	if !ok {
		t.Fatal("no type Outer")
	}
	var got []string
	for _, f := range typ.JSONFields() {
		got = append(got, fmt.Sprintf("%s%v ptr=%v noalloc=%v", f.JSONName, f.Path, f.ViaPointer, f.NoAlloc))
	}
	want := []string{
		"ID[0 0] ptr=true noalloc=false",  // promoted through *Base
		"H[1 0] ptr=true noalloc=true",    // through a pointer to an unexported struct
		"in[2] ptr=false noalloc=false",   // an unexported embedded struct with a tag name is a key
		"Name[3] ptr=false noalloc=false", // hides Base.Name, which is deeper
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("JSONFields:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
