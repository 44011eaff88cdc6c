package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/policy"
)

// loadFixture parses fixture_test.go as a package of services.
func loadFixture(t *testing.T) *funcs.Package {
	t.Helper()
	src, err := os.ReadFile("fixture_test.go")
	if err != nil {
		t.Fatal(err)
	}
	src = regexp.MustCompile(`(?m)^package openapi$`).ReplaceAll(src, []byte("package fixture"))
	return loadSource(t, map[string]string{"fixture.go": string(src)})
}

// loadSource writes files to a temporary directory and loads it.
func loadSource(t *testing.T, files map[string]string) *funcs.Package {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pkg, err := funcs.Load(dir)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return pkg
}

// servicesOf returns the services of pkg, routed below prefix ("" or
// "billing/"), with the policies their directives give.
func servicesOf(t *testing.T, pkg *funcs.Package, prefix string) []Service {
	t.Helper()
	var out []Service
	for _, d := range pkg.Services {
		p := policy.Default()
		for _, o := range d.Options {
			if err := p.Set(o.Key, o.Value); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, Service{Route: prefix + d.Route, Desc: d, Policy: p})
	}
	return out
}

func buildFixture(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := Build(Info{Title: "fixture", Version: "1.2.3"}, servicesOf(t, loadFixture(t), ""))
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return doc
}

// component returns the component schema name of doc.
func component(t *testing.T, doc *openapi3.T, name string) *openapi3.Schema {
	t.Helper()
	ref := doc.Components.Schemas[name]
	if ref == nil || ref.Value == nil {
		t.Fatalf("no component schema %q (have %v)", name, keys(doc.Components.Schemas))
	}
	return ref.Value
}

func keys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// wire returns v as encoding/json writes it, decoded into any.
func wire(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal %T: %v", v, err)
	}
	return decode(t, string(b))
}

func decode(t *testing.T, text string) any {
	t.Helper()
	var out any
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		t.Fatalf("unmarshal %s: %v", text, err)
	}
	return out
}

// fill sets every field reachable from v, exported or not, to a non-zero
// value: the largest of integer kinds, or with low the smallest. Pointers
// and slices stop at depth 3 so that recursive types end.
func fill(v reflect.Value, low bool, depth int) {
	if !v.CanSet() {
		v = reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
	}
	switch v.Type() {
	case reflect.TypeFor[time.Time]():
		v.Set(reflect.ValueOf(time.Date(2024, 2, 29, 23, 59, 58, 123456789, time.FixedZone("", -(5*3600+30*60)))))
		return
	case reflect.TypeFor[time.Duration]():
		v.SetInt(int64(1500 * time.Millisecond))
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := v.Type().Bits()
		if low {
			v.SetInt(-1 << (bits - 1))
		} else {
			v.SetInt(1<<(bits-1) - 1)
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if low {
			v.SetUint(1)
		} else {
			v.SetUint(math.MaxUint64 >> (64 - v.Type().Bits()))
		}
	case reflect.Float32, reflect.Float64:
		if low {
			v.SetFloat(-1.5e30)
		} else {
			v.SetFloat(0.25)
		}
	case reflect.String:
		v.SetString("text ✓")
	case reflect.Slice:
		if depth >= 3 {
			return
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte("\x00\xffbytes?>"))
			return
		}
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(s.Index(i), low, depth+1)
		}
		v.Set(s)
	case reflect.Array:
		for i := range v.Len() {
			fill(v.Index(i), low, depth+1)
		}
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for _, k := range []string{"a", "b c"} {
			e := reflect.New(v.Type().Elem()).Elem()
			fill(e, low, depth+1)
			m.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), e)
		}
		v.Set(m)
	case reflect.Pointer:
		if depth >= 3 {
			return
		}
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), low, depth+1)
		v.Set(p)
	case reflect.Interface:
		v.Set(reflect.ValueOf(map[string]any{"list": []any{1.5, "x", nil, true}}))
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i), low, depth)
		}
	}
}

func filled[T any](low bool) T {
	var v T
	fill(reflect.ValueOf(&v).Elem(), low, 0)
	return v
}

// fixtureValues are the compiled fixture types by component name, each
// with a zero value and a filled one.
var fixtureTypes = map[string]reflect.Type{
	"Point":  reflect.TypeFor[Point](),
	"Rect":   reflect.TypeFor[Rect](),
	"Record": reflect.TypeFor[Record](),
	"Both":   reflect.TypeFor[Both](),
	"Clash":  reflect.TypeFor[Clash](),
	"Node":   reflect.TypeFor[Node](),
	"Kinds":  reflect.TypeFor[Kinds](),
}

func TestBuildValidates(t *testing.T) {
	doc := buildFixture(t)
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.0.3" || doc.Info.Title != "fixture" || doc.Info.Version != "1.2.3" {
		t.Errorf("header: %s %q %q", doc.OpenAPI, doc.Info.Title, doc.Info.Version)
	}
	// The JSON reads back into a valid document whose references resolve.
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		t.Fatalf("load the JSON back: %v", err)
	}
	if err := loaded.Validate(context.Background()); err != nil {
		t.Fatalf("the JSON read back is invalid: %v", err)
	}
	// The reloaded schemas validate as the built ones do.
	ok := wire(t, Node{Name: "a", Children: []*Node{{Name: "b"}}})
	if err := loaded.Components.Schemas["Node"].Value.VisitJSON(ok); err != nil {
		t.Errorf("reloaded Node: %v", err)
	}
	bad := decode(t, `{"name":"a","children":[{"name":1,"children":null}]}`)
	if err := loaded.Components.Schemas["Node"].Value.VisitJSON(bad); err == nil {
		t.Error("reloaded Node accepts a bad child")
	}

	wantPaths := []string{"/Area", "/DivMod", "/Extras", "/Flatten", "/Ints", "/IsEven", "/Misc", "/Reset", "/Stats", "/tree"}
	if got := keys(doc.Paths.Map()); !slices.Equal(got, wantPaths) {
		t.Errorf("paths %v, want %v", got, wantPaths)
	}
}

func TestDeterministic(t *testing.T) {
	pkg := loadFixture(t)
	svcs := servicesOf(t, pkg, "")
	a, err := Build(Info{}, svcs)
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(svcs)
	b, err := Build(Info{}, svcs)
	if err != nil {
		t.Fatal(err)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Error("the JSON depends on the order of services")
	}
	for range 3 {
		c, err := Build(Info{}, servicesOf(t, loadFixture(t), ""))
		if err != nil {
			t.Fatal(err)
		}
		jc, _ := json.Marshal(c)
		if !bytes.Equal(ja, jc) {
			t.Fatal("the JSON differs between builds")
		}
	}
	if a.Info.Title == "" || a.Info.Version == "" {
		t.Error("empty Info not defaulted")
	}
}

// TestFieldsMatchEncodingJSON checks the properties of each struct
// component against the keys encoding/json writes for a value with every
// field set, and the required keys against the zero value.
func TestFieldsMatchEncodingJSON(t *testing.T) {
	doc := buildFixture(t)
	for name, rt := range fixtureTypes {
		t.Run(name, func(t *testing.T) {
			s := component(t, doc, name)
			full := reflect.New(rt).Elem()
			fill(full, false, 0)
			obj, ok := wire(t, full.Interface()).(map[string]any)
			if !ok {
				t.Fatalf("%s does not encode as an object", name)
			}
			if got, want := keys(s.Properties), keys(obj); !slices.Equal(got, want) {
				t.Errorf("properties %v, encoding/json writes %v", got, want)
			}
			zero, _ := wire(t, reflect.Zero(rt).Interface()).(map[string]any)
			for _, r := range s.Required {
				if _, ok := zero[r]; !ok {
					t.Errorf("required %q is missing from the zero value %v", r, zero)
				}
			}
			if s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has {
				t.Error("additionalProperties is not false")
			}
		})
	}
}

func TestRecordFlattening(t *testing.T) {
	s := component(t, buildFixture(t), "Record")
	want := []string{"-", "Celsius", "Kind", "created", "deep", "id", "origin", "peek", "ref", "tagged", "tags", "version", "when"}
	if got := keys(s.Properties); !slices.Equal(got, want) {
		t.Errorf("properties %v, want %v", got, want)
	}
	// version, Kind and peek come through embedded pointers, tags and when
	// may be omitted, ref is a pointer.
	wantReq := []string{"created", "deep", "tagged", "origin", "Celsius", "id", "-"}
	if !slices.Equal(s.Required, wantReq) {
		t.Errorf("required %v, want %v", s.Required, wantReq)
	}
	if got := s.Properties["id"].Value.Description; got != "ID hides Base.ID." {
		t.Errorf("id description %q", got)
	}
	if got := s.Properties["id"].Value.Type; !got.Is("string") {
		t.Errorf("id type %v, want string (Record.ID hides Base.ID)", got)
	}
	ref := s.Properties["ref"]
	if ref.Ref != "" || !ref.Value.Nullable || len(ref.Value.AllOf) != 1 || ref.Value.AllOf[0].Ref != "#/components/schemas/Point" {
		t.Errorf("ref: want nullable allOf [Point], got %+v", ref.Value)
	}
	if ref := s.Properties["origin"]; ref.Ref != "#/components/schemas/Point" {
		t.Errorf("origin: %q", ref.Ref)
	}
	if got := keys(component(t, buildFixture(t), "Both").Properties); !slices.Equal(got, []string{"L", "R"}) {
		t.Errorf("Both: %v, want [L R]", got)
	}
	clash := component(t, buildFixture(t), "Clash")
	if got := keys(clash.Properties); !slices.Equal(got, []string{"a", "b", "own"}) {
		t.Errorf("Clash: %v, want [a b own]", got)
	}
	if !slices.Equal(clash.Required, []string{"own"}) {
		t.Errorf("Clash required %v, want [own]", clash.Required)
	}
}

func TestSchemas(t *testing.T) {
	doc := buildFixture(t)
	kinds := component(t, doc, "Kinds")
	f := func(x float64) *float64 { return &x }
	tests := []struct {
		field    string
		typ      string
		format   string
		min, max *float64
		nullable bool
	}{
		{"I", "integer", "int64", nil, nil, false},
		{"I8", "integer", "int32", f(-128), f(127), false},
		{"I16", "integer", "int32", f(-32768), f(32767), false},
		{"I32", "integer", "int32", f(math.MinInt32), f(math.MaxInt32), false},
		{"I64", "integer", "int64", nil, nil, false},
		{"U", "integer", "", f(0), nil, false},
		{"U8", "integer", "int32", f(0), f(255), false},
		{"U16", "integer", "int32", f(0), f(65535), false},
		{"U32", "integer", "int64", f(0), f(math.MaxUint32), false},
		{"U64", "integer", "", f(0), nil, false},
		{"UP", "integer", "", f(0), nil, false},
		{"F32", "", "", nil, nil, false}, // see floatFormat
		{"F64", "", "", nil, nil, false},
		{"B", "boolean", "", nil, nil, false},
		{"S", "string", "", nil, nil, false},
		{"Bytes", "string", "byte", nil, nil, true},
		{"T", "string", "date-time", nil, nil, false},
		{"D", "integer", "int64", nil, nil, false},
		{"P", "integer", "int64", nil, nil, true},
		{"M", "object", "", nil, nil, true},
		{"A", "array", "", nil, nil, false},
		{"Any", "", "", nil, nil, true},
		{"Anon", "object", "", nil, nil, false},
		{"Temps", "array", "", nil, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			ref := kinds.Properties[tt.field]
			if ref == nil || ref.Ref != "" {
				t.Fatalf("want an inline schema, got %+v", ref)
			}
			s := ref.Value
			gotType := ""
			if s.Type != nil {
				gotType = strings.Join(s.Type.Slice(), ",")
			}
			if gotType != tt.typ || s.Format != tt.format || s.Nullable != tt.nullable {
				t.Errorf("type %q format %q nullable %v, want %q %q %v", gotType, s.Format, s.Nullable, tt.typ, tt.format, tt.nullable)
			}
			if !reflect.DeepEqual(s.Min, tt.min) || !reflect.DeepEqual(s.Max, tt.max) {
				t.Errorf("range %v..%v, want %v..%v", deref(s.Min), deref(s.Max), deref(tt.min), deref(tt.max))
			}
		})
	}
	if f := floatFormat(kinds.Properties["F32"].Value); f != "float" {
		t.Errorf("F32: float format %q, want float", f)
	}
	if f := floatFormat(kinds.Properties["F64"].Value); f != "double" {
		t.Errorf("F64: float format %q, want double", f)
	}
	if d := kinds.Properties["D"].Value.Description; !strings.Contains(d, "nanoseconds") || !strings.Contains(d, `"1.5s"`) {
		t.Errorf("D description %q", d)
	}
	if a := kinds.Properties["A"].Value; a.MinItems != 3 || a.MaxItems == nil || *a.MaxItems != 3 {
		t.Errorf("A items %d..%v", a.MinItems, a.MaxItems)
	}
	if m := kinds.Properties["M"].Value; m.AdditionalProperties.Schema == nil || !m.AdditionalProperties.Schema.Value.Type.Is("integer") {
		t.Errorf("M additionalProperties %+v", m.AdditionalProperties)
	}
	if it := kinds.Properties["Temps"].Value.Items; it.Ref != "#/components/schemas/Celsius" {
		t.Errorf("Temps items %q", it.Ref)
	}
	if pp := kinds.Properties["PP"].Value; !pp.Nullable || len(pp.AllOf) != 1 || pp.AllOf[0].Ref != "#/components/schemas/Point" {
		t.Errorf("PP %+v", pp)
	}
	c := component(t, doc, "Celsius")
	if floatFormat(c) != "double" || c.Description != "Celsius is a temperature." {
		t.Errorf("Celsius %+v", c)
	}
	p := component(t, doc, "Point")
	if p.Description != "Point is a point in the plane." || p.Properties["x"].Value.Description != "the abscissa" {
		t.Errorf("Point docs: %q %q", p.Description, p.Properties["x"].Value.Description)
	}
	n := component(t, doc, "Node")
	items := n.Properties["children"].Value.Items.Value
	if len(items.AllOf) != 1 || items.AllOf[0].Ref != "#/components/schemas/Node" || items.AllOf[0].Value != n {
		t.Errorf("Node children items: %+v", items)
	}
	prob := component(t, doc, "Problem")
	if !slices.Equal(prob.Required, []string{"type", "title", "status", "detail"}) {
		t.Errorf("Problem required %v", prob.Required)
	}
}

// floatFormat returns the format of s if s is the schema of a float,
// oneOf a number of that format and the strings "NaN", "Infinity",
// "-Infinity", and "" otherwise.
func floatFormat(s *openapi3.Schema) string {
	if s.Type != nil || len(s.OneOf) != 2 {
		return ""
	}
	num, str := s.OneOf[0].Value, s.OneOf[1].Value
	if !num.Type.Is("number") || !str.Type.Is("string") || !reflect.DeepEqual(str.Enum, []any{"NaN", "Infinity", "-Infinity"}) {
		return ""
	}
	return num.Format
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestValuesMatchSchemas validates encoding/json output of compiled
// values against the component schemas.
func TestValuesMatchSchemas(t *testing.T) {
	doc := buildFixture(t)
	deep := &Node{Name: "root", Children: []*Node{{Name: "a"}, nil, {Name: "b", Children: []*Node{{Name: "c", Children: []*Node{}}}}}}
	tests := []struct {
		schema string
		value  any
	}{
		{"Point", Point{X: 1, Y: -2.5}},
		{"Rect", Rect{}},
		{"Rect", Rect{Max: Point{3, 4}, Label: "box"}},
		{"Record", Record{}},
		{"Record", Record{Meta: &Meta{Version: 2}, Tags: []string{}, Ref: &Point{}}},
		{"Record", filled[Record](false)},
		{"Record", filled[Record](true)},
		{"Both", filled[Both](false)},
		{"Node", Node{}},
		{"Node", deep},
		{"Node", filled[Node](false)},
		{"Kinds", Kinds{}},
		{"Kinds", filled[Kinds](false)},
		{"Kinds", filled[Kinds](true)},
		{"Kinds", Kinds{Bytes: []byte{}, M: map[string]int{}, Temps: []Celsius{}, Any: "s", PP: new(*Point)}},
		{"Celsius", Celsius(-40)},
	}
	for _, tt := range tests {
		s := component(t, doc, tt.schema)
		v := wire(t, tt.value)
		if err := s.VisitJSON(v); err != nil {
			t.Errorf("%s %#v: %v", tt.schema, v, err)
		}
	}
}

// TestWrongValuesFail checks that the schemas reject what encoding/json
// of the types cannot produce.
func TestWrongValuesFail(t *testing.T) {
	doc := buildFixture(t)
	withKey := func(v any, key string, value any) map[string]any {
		m := wire(t, v).(map[string]any)
		m[key] = value
		return m
	}
	without := func(v any, key string) map[string]any {
		m := wire(t, v).(map[string]any)
		delete(m, key)
		return m
	}
	kinds := filled[Kinds](false)
	tests := []struct {
		name   string
		schema string
		value  any
	}{
		{"string for number", "Point", decode(t, `{"x":"1","y":2}`)},
		{"missing key", "Point", decode(t, `{"x":1}`)},
		{"unknown key", "Point", decode(t, `{"x":1,"y":2,"z":3}`)},
		{"null struct", "Point", nil},
		{"array for struct", "Point", decode(t, `[1,2]`)},
		{"int8 over", "Kinds", withKey(kinds, "I8", 128.0)},
		{"int8 under", "Kinds", withKey(kinds, "I8", -129.0)},
		{"int16 over", "Kinds", withKey(kinds, "I16", 32768.0)},
		{"int32 over", "Kinds", withKey(kinds, "I32", 2147483648.0)},
		{"uint8 negative", "Kinds", withKey(kinds, "U8", -1.0)},
		{"uint8 over", "Kinds", withKey(kinds, "U8", 256.0)},
		{"uint16 over", "Kinds", withKey(kinds, "U16", 65536.0)},
		{"uint32 over", "Kinds", withKey(kinds, "U32", 4294967296.0)},
		{"uint negative", "Kinds", withKey(kinds, "U", -1.0)},
		{"uint64 negative", "Kinds", withKey(kinds, "U64", -1.0)},
		{"int fraction", "Kinds", withKey(kinds, "I", 1.5)},
		{"bool as string", "Kinds", withKey(kinds, "B", "true")},
		{"null string", "Kinds", withKey(kinds, "S", nil)},
		{"bytes not base64", "Kinds", withKey(kinds, "Bytes", "not base64!")},
		{"time not RFC 3339", "Kinds", withKey(kinds, "T", "yesterday")},
		{"duration as string", "Kinds", withKey(kinds, "D", "1.5s")},
		{"map of strings", "Kinds", withKey(kinds, "M", map[string]any{"a": "x"})},
		{"short array", "Kinds", withKey(kinds, "A", []any{1.0, 2.0})},
		{"long array", "Kinds", withKey(kinds, "A", []any{1.0, 2.0, 3.0, 4.0})},
		{"null array", "Kinds", withKey(kinds, "A", nil)},
		{"anonymous struct extra key", "Kinds", withKey(kinds, "Anon", map[string]any{"a": 1.0, "b": 2.0})},
		{"named elements", "Kinds", withKey(kinds, "Temps", []any{"hot"})},
		{"pointer to pointer to struct", "Kinds", withKey(kinds, "PP", map[string]any{"x": 1.0})},
		{"missing field", "Kinds", without(kinds, "U16")},
		{"hidden field", "Record", withKey(Record{}, "ID", 1.0)},
		{"ambiguous field", "Record", withKey(Record{}, "Note", "x")},
		{"unexported field", "Record", withKey(Record{}, "secret", "x")},
		{"skipped field", "Record", withKey(Record{}, "Skip", "x")},
		{"string id as number", "Record", withKey(Record{}, "id", 5.0)},
		{"missing promoted field", "Record", without(Record{}, "deep")},
		{"missing tagged field", "Record", without(Record{}, "-")},
		{"doubly embedded field", "Both", withKey(Both{}, "Leaf1", 1.0)},
		{"deep bad child", "Node", decode(t, `{"name":"a","children":[{"name":"b","children":[{"name":5,"children":null}]}]}`)},
		{"deep extra key", "Node", decode(t, `{"name":"a","children":[{"name":"b","children":null,"x":1}]}`)},
		{"celsius as string", "Celsius", "hot"},
	}
	for _, tt := range tests {
		if err := component(t, doc, tt.schema).VisitJSON(tt.value); err == nil {
			t.Errorf("%s: %s accepts %#v", tt.name, tt.schema, tt.value)
		}
	}
}

func TestOperations(t *testing.T) {
	doc := buildFixture(t)
	item := doc.Paths.Find("/IsEven")
	if item == nil || item.Get == nil || item.Post == nil {
		t.Fatal("no GET and POST for /IsEven")
	}
	if len(item.Operations()) != 2 {
		t.Errorf("operations %v", keys(item.Operations()))
	}
	get, post := item.Get, item.Post
	if get.OperationID != "get_IsEven" || post.OperationID != "post_IsEven" {
		t.Errorf("operation ids %q %q", get.OperationID, post.OperationID)
	}
	if get.Summary != "IsEven reports whether x is even." || !strings.HasPrefix(get.Description, "IsEven reports whether x is even. Zero is even.") {
		t.Errorf("summary %q description %q", get.Summary, get.Description)
	}
	if len(get.Parameters) != 1 {
		t.Fatalf("parameters %d", len(get.Parameters))
	}
	x := get.Parameters[0].Value
	if x.Name != "x" || x.In != "query" || !x.Required || x.Schema == nil || !x.Schema.Value.Type.Is("integer") || x.Content != nil {
		t.Errorf("x: %+v", x)
	}
	body := post.RequestBody.Value
	if !body.Required {
		t.Error("body not required")
	}
	bs := body.Content.Get("application/json").Schema.Value
	if !slices.Equal(bs.Required, []string{"x"}) || bs.AdditionalProperties.Has == nil || *bs.AdditionalProperties.Has {
		t.Errorf("body schema required %v additionalProperties %+v", bs.Required, bs.AdditionalProperties)
	}
	for _, op := range []*openapi3.Operation{get, post} {
		ok := op.Responses.Status(200).Value.Content.Get("application/json").Schema.Value
		if !ok.Type.Is("boolean") {
			t.Errorf("%s 200: %+v", op.OperationID, ok)
		}
		for _, code := range []int{400, 404, 429, 500, 504, 508} {
			r := op.Responses.Status(code)
			if r == nil || !strings.HasPrefix(r.Ref, "#/components/responses/") {
				t.Fatalf("%s %d: %+v", op.OperationID, code, r)
			}
			mt := r.Value.Content.Get("application/problem+json")
			if mt == nil || mt.Schema.Ref != "#/components/schemas/Problem" {
				t.Errorf("%s %d: no problem body", op.OperationID, code)
			}
		}
		if d := op.Responses.Default(); d == nil || d.Ref != "#/components/responses/Problem" {
			t.Errorf("%s default response %+v", op.OperationID, d)
		}
	}
	if post.Responses.Status(413) == nil || get.Responses.Status(413) != nil {
		t.Error("413 belongs to POST only")
	}
	pi, ok := get.Extensions[PolicyExtension].(PolicyInfo)
	want := PolicyInfo{Retry: 3, Backoff: "exponential", Base: "10ms", Cap: "1s", Jitter: 10, Budget: "0s", Timeout: "30s", Scale: 1, Queue: 100}
	if !ok || pi != want {
		t.Errorf("policy %+v, want %+v", get.Extensions[PolicyExtension], want)
	}

	area := doc.Paths.Find("/Area").Get
	pi = area.Extensions[PolicyExtension].(PolicyInfo)
	if pi.Retry != 5 || pi.Timeout != "2s" || pi.Budget != "1m30s" {
		t.Errorf("Area policy %+v", pi)
	}
	r := area.Parameters[0].Value
	if r.Schema != nil || r.Content.Get("application/json").Schema.Ref != "#/components/schemas/Rect" || !r.Required {
		t.Errorf("r: %+v", r)
	}
	if s := area.Responses.Status(200).Value.Content.Get("application/json").Schema.Value; floatFormat(s) != "double" {
		t.Errorf("Area 200 %+v", s)
	}
	raw, _ := json.Marshal(doc.Paths.Find("/Area").Post)
	if !bytes.Contains(raw, []byte(`"x-microfn-policy":{"retry":5,"backoff":"exponential","base":"10ms","cap":"1s","jitter":10,"budget":"1m30s","timeout":"2s","scale":1,"queue":100}`)) {
		t.Errorf("Area POST JSON lacks the policy: %s", raw)
	}

	tree := doc.Paths.Find("/tree")
	if tree == nil || tree.Get.OperationID != "get_tree" {
		t.Fatalf("tree: %+v", tree)
	}
	ts := tree.Get.Responses.Status(200).Value.Content.Get("application/json").Schema.Value
	if !ts.Nullable || ts.AllOf[0].Ref != "#/components/schemas/Node" {
		t.Errorf("Tree result %+v", ts)
	}
}

func TestMiscParameters(t *testing.T) {
	doc := buildFixture(t)
	get := doc.Paths.Find("/Misc").Get
	type want struct {
		required bool
		content  bool   // JSON text rather than a schema
		ref      string // for schema parameters
		typ      string
	}
	wants := map[string]want{
		"data": {true, true, "", "string"},
		"at":   {true, false, "", "string"},
		"d":    {true, false, "", "integer"},
		"p":    {false, false, "", "integer"},
		"m":    {true, true, "", "object"},
		"arr":  {true, true, "", "array"},
		"v":    {true, true, "", ""},
		"xs":   {true, false, "", "array"},
		"ps":   {false, true, "", ""},
		"t":    {true, false, "#/components/schemas/Celsius", ""}, // a float: oneOf
		"pt":   {false, false, "#/components/schemas/Celsius", ""},
	}
	var names []string
	for _, pr := range get.Parameters {
		p := pr.Value
		names = append(names, p.Name)
		w, ok := wants[p.Name]
		if !ok {
			t.Errorf("unexpected parameter %q", p.Name)
			continue
		}
		if p.Required != w.required {
			t.Errorf("%s required %v", p.Name, p.Required)
		}
		var s *openapi3.SchemaRef
		if w.content {
			if p.Schema != nil || p.Content.Get("application/json") == nil {
				t.Errorf("%s: want JSON content, got %+v", p.Name, p)
				continue
			}
			s = p.Content.Get("application/json").Schema
		} else {
			if p.Schema == nil || p.Content != nil {
				t.Errorf("%s: want a schema, got %+v", p.Name, p)
				continue
			}
			s = p.Schema
			if s.Ref != w.ref {
				t.Errorf("%s ref %q, want %q", p.Name, s.Ref, w.ref)
			}
		}
		if got := strings.Join(s.Value.Type.Slice(), ","); got != w.typ {
			t.Errorf("%s type %q, want %q", p.Name, got, w.typ)
		}
		if p.Description == "" {
			t.Errorf("%s has no description", p.Name)
		}
	}
	if want := []string{"data", "at", "d", "p", "m", "arr", "v", "xs", "ps", "t", "pt"}; !slices.Equal(names, want) {
		t.Errorf("parameters %v, want %v (no ctx)", names, want)
	}
	bs := doc.Paths.Find("/Misc").Post.RequestBody.Value.Content.Get("application/json").Schema.Value
	if _, ok := bs.Properties["ctx"]; ok {
		t.Error("ctx in the body")
	}
	if want := []string{"data", "at", "d", "m", "arr", "v", "xs", "t"}; !slices.Equal(bs.Required, want) {
		t.Errorf("body required %v, want %v", bs.Required, want)
	}
	// A body as a client would send it validates; an unknown or missing
	// parameter does not.
	good := wire(t, map[string]any{
		"data": []byte("hi"), "at": time.Now(), "d": time.Second, "m": map[string]int{"a": 1},
		"arr": [3]int{1, 2, 3}, "v": nil, "xs": []int{1}, "t": Celsius(3), "ps": nil, "p": 4,
	})
	if err := bs.VisitJSON(good); err != nil {
		t.Errorf("good body: %v", err)
	}
	bad := good.(map[string]any)
	bad["ctx"] = "x"
	if bs.VisitJSON(bad) == nil {
		t.Error("body with ctx accepted")
	}
	delete(bad, "ctx")
	delete(bad, "xs")
	if bs.VisitJSON(bad) == nil {
		t.Error("body without xs accepted")
	}
}

func TestResults(t *testing.T) {
	doc := buildFixture(t)
	result := func(route string) *openapi3.Schema {
		return doc.Paths.Find(route).Post.Responses.Status(200).Value.Content.Get("application/json").Schema.Value
	}
	tests := []struct {
		route string
		value string
		ok    bool
	}{
		{"/Reset", `null`, true},
		{"/Reset", `1`, false},
		{"/Reset", `{}`, false},
		{"/DivMod", `[3,1]`, true},
		{"/DivMod", `[3]`, false},
		{"/DivMod", `[3,1,0]`, false},
		{"/DivMod", `[3,"1"]`, false},
		{"/DivMod", `3`, false},
		{"/Stats", `[1.5,2]`, true},
		{"/Stats", `[1.5,"2"]`, false},
		{"/Stats", `[1.5]`, false},
		{"/IsEven", `true`, true},
		{"/IsEven", `"true"`, false},
		{"/tree", `null`, true},
		{"/tree", `{"name":"x","children":null}`, true},
		{"/tree", `{"name":"x"}`, false},
	}
	for _, tt := range tests {
		err := result(tt.route).VisitJSON(decode(t, tt.value))
		if (err == nil) != tt.ok {
			t.Errorf("%s %s: err %v, want ok %v", tt.route, tt.value, err, tt.ok)
		}
	}
	misc := result("/Misc")
	if err := misc.VisitJSON(wire(t, filled[Kinds](false))); err != nil {
		t.Errorf("Misc result: %v", err)
	}
	if post := doc.Paths.Find("/Reset").Post.RequestBody.Value; post.Required {
		t.Error("Reset's body is required")
	}
}

const billingSrc = `package billing

// Point is not the root package's Point.
type Point struct {
	Lat, Lng float64
}

// Problem collides with the error schema.
type Problem struct {
	Code int
}

// Charge charges at p.
//
//microfn:service
func Charge(p Point, q Problem) Problem { return q }
`

func TestSubpackage(t *testing.T) {
	root := servicesOf(t, loadFixture(t), "")
	billing := servicesOf(t, loadSource(t, map[string]string{"billing.go": billingSrc}), "billing/")
	doc, err := Build(Info{Title: "t", Version: "1"}, append(root, billing...))
	if err != nil {
		t.Fatal(err)
	}
	item := doc.Paths.Find("/billing/Charge")
	if item == nil || item.Get.OperationID != "get_billing_Charge" || item.Post.OperationID != "post_billing_Charge" {
		t.Fatalf("billing/Charge: %+v", item)
	}
	if got := item.Get.Parameters[0].Value.Content.Get("application/json").Schema.Ref; got != "#/components/schemas/billing.Point" {
		t.Errorf("billing Point ref %q", got)
	}
	if got := keys(component(t, doc, "billing.Point").Properties); !slices.Equal(got, []string{"Lat", "Lng"}) {
		t.Errorf("billing.Point %v", got)
	}
	if got := keys(component(t, doc, "Point").Properties); !slices.Equal(got, []string{"x", "y"}) {
		t.Errorf("Point %v", got)
	}
	if got := keys(component(t, doc, "billing.Problem").Properties); !slices.Equal(got, []string{"Code"}) {
		t.Errorf("billing.Problem %v", got)
	}

	// A root type named Problem is renamed, not merged with the error body.
	rootProblem := loadSource(t, map[string]string{"p.go": strings.ReplaceAll(strings.Replace(billingSrc, "package billing", "package root", 1), "Point", "Place")})
	doc, err = Build(Info{}, servicesOf(t, rootProblem, ""))
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(component(t, doc, "Problem_2").Properties); !slices.Equal(got, []string{"Code"}) {
		t.Errorf("Problem_2 %v", got)
	}
	if got := doc.Paths.Find("/Charge").Get.Responses.Status(200).Value.Content.Get("application/json").Schema.Ref; got != "#/components/schemas/Problem_2" {
		t.Errorf("Charge result ref %q", got)
	}
	if _, ok := component(t, doc, "Problem").Properties["status"]; !ok {
		t.Error("the error schema was replaced")
	}
}

func TestBuildErrors(t *testing.T) {
	svcs := servicesOf(t, loadFixture(t), "")
	one := svcs[0]
	tests := []struct {
		name     string
		services []Service
		want     string
	}{
		{"no descriptor", []Service{{Route: "x"}}, "no descriptor"},
		{"empty route", []Service{{Desc: one.Desc, Policy: one.Policy}}, "route"},
		{"leading slash", []Service{{Route: "/x", Desc: one.Desc, Policy: one.Policy}}, "route"},
		{"trailing slash", []Service{{Route: "x/", Desc: one.Desc, Policy: one.Policy}}, "route"},
		{"template", []Service{{Route: "x/{y}", Desc: one.Desc, Policy: one.Policy}}, "route"},
		{"duplicate", []Service{one, one}, "twice"},
		{"same operation id", []Service{{Route: "a_b/c", Desc: one.Desc, Policy: one.Policy}, {Route: "a/b_c", Desc: one.Desc, Policy: one.Policy}}, "operation id"},
	}
	for _, tt := range tests {
		_, err := Build(Info{}, tt.services)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err %v, want one containing %q", tt.name, err, tt.want)
		}
	}
	if _, err := Build(Info{}, nil); err != nil {
		t.Errorf("no services: %v", err)
	}
}

func TestComponentNames(t *testing.T) {
	src := `package größen

// Größe is a size.
type Größe int

// Gr__e takes the name Größe would get.
type Gr__e struct{ N int }

// Measure measures.
//
//microfn:service
func Measure(g Größe, h Gr__e) Größe { return g }
`
	pkg := loadSource(t, map[string]string{"g.go": src})
	doc, err := Build(Info{}, servicesOf(t, pkg, "my pkg/v2/"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Problem", "my_pkg.v2.Gr__e", "my_pkg.v2.Gr__e_2"}
	if got := keys(doc.Components.Schemas); !slices.Equal(got, want) {
		t.Errorf("components %v, want %v", got, want)
	}
	if s := component(t, doc, "my_pkg.v2.Gr__e").Title; s != "Größe" {
		t.Errorf("title %q", s)
	}
	if doc.Paths.Find("/my pkg/v2/Measure").Get.OperationID != "get_my_pkg_v2_Measure" {
		t.Error("operation id")
	}
}
