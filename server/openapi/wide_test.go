package openapi

import (
	"encoding/json"
	"math/big"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// wideValue has every field of Wide set.
func wideValue() Wide {
	huge, _ := new(big.Int).SetString("-123456789012345678901234567890", 10)
	net := netip.MustParsePrefix("2001:db8::/32")
	return Wide{
		Temp: -1.5, Temps: []float32{0.25, 1e30},
		ByID: map[int]string{-1: "a", 42: "b"}, ByByte: map[uint8]bool{255: true},
		ByDur: map[time.Duration]int{time.Second: 1}, ByTime: map[time.Time]int{time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC): 1},
		ByAddr: map[netip.Addr]int{netip.MustParseAddr("192.0.2.1"): 1, {}: 0},
		Big:    huge, BigV: *big.NewInt(7), Float: *big.NewFloat(1e100), Rat: big.NewRat(1, 3),
		Addr: netip.MustParseAddr("::1"), Port: netip.MustParseAddrPort("192.0.2.1:80"), Net: &net, Nets: []netip.Prefix{net, {}},
	}
}

// TestWideValuesMatchSchemas validates what encoding/json writes for Wide
// (of a pointer: the methods of the math/big types need one), and what
// microfn writes for NaN and the infinities, against the schemas.
func TestWideValuesMatchSchemas(t *testing.T) {
	doc := buildFixture(t)
	w := component(t, doc, "Wide")
	full := wideValue()
	for _, v := range []any{&Wide{}, &full} {
		if err := w.VisitJSON(wire(t, v)); err != nil {
			t.Errorf("%+v: %v", v, err)
		}
	}
	// The documented float convention, in every float position.
	specials := wire(t, &full).(map[string]any)
	specials["Temp"] = "NaN"
	specials["Temps"] = []any{"Infinity", "-Infinity", 1.0}
	if err := w.VisitJSON(specials); err != nil {
		t.Errorf("NaN and infinities: %v", err)
	}
	result := doc.Paths.Find("/Extras").Post.Responses.Status(200).Value.Content.Get("application/json").Schema.Value
	for _, doc := range []string{`[{}, "NaN"]`, `[{}, "-Infinity"]`, `[{}, 1.5]`} {
		v := decode(t, doc)
		v.([]any)[0] = wire(t, &full)
		if err := result.VisitJSON(v); err != nil {
			t.Errorf("result %s: %v", doc, err)
		}
	}
	body := doc.Paths.Find("/Extras").Post.RequestBody.Value.Content.Get("application/json").Schema.Value
	good := map[string]any{"w": wire(t, &full), "f": "Infinity", "ip": "192.0.2.1", "n": json.Number("123456789012345678901234567890"),
		"ids": map[string]any{"1": "x"}, "fs": []any{"NaN", 2.0}}
	if err := body.VisitJSON(good); err != nil {
		t.Errorf("body: %v", err)
	}

	// What neither encoding/json nor microfn writes fails.
	withKey := func(key string, value any) map[string]any {
		m := wire(t, &full).(map[string]any)
		m[key] = value
		return m
	}
	for _, tc := range []struct {
		name  string
		value any
	}{
		{"nan in lower case", withKey("Temp", "nan")},
		{"inf", withKey("Temp", "Inf")},
		{"float as string", withKey("Temp", "1.5")},
		{"null float", withKey("Temp", nil)},
		{"infinity in a slice", withKey("Temps", []any{"+Infinity"})},
		{"big.Int as string", withKey("Big", "12")},
		{"big.Int fraction", withKey("BigV", 1.5)},
		{"big.Float as number", withKey("Float", 1.5)},
		{"address as number", withKey("Addr", 3232235777.0)},
		{"null address", withKey("Addr", nil)},
		{"prefix as object", withKey("Net", map[string]any{})},
		{"map values", withKey("ByID", map[string]any{"1": 2.0})},
	} {
		if err := w.VisitJSON(tc.value); err == nil {
			t.Errorf("%s: Wide accepts %v", tc.name, tc.value)
		}
	}
}

func TestWideSchemas(t *testing.T) {
	doc := buildFixture(t)
	w := component(t, doc, "Wide")
	prop := func(name string) *openapi3.Schema {
		ref := w.Properties[name]
		if ref == nil || ref.Value == nil {
			t.Fatalf("Wide has no property %s", name)
		}
		return ref.Value
	}
	if f := floatFormat(prop("Temp")); f != "double" {
		t.Errorf("Temp: %+v", prop("Temp"))
	}
	if f := floatFormat(prop("Temps").Items.Value); f != "float" {
		t.Errorf("Temps items: %+v", prop("Temps").Items.Value)
	}
	for name, words := range map[string][]string{
		"ByID":   {"int values written in decimal"},
		"ByByte": {"uint8 values written in decimal"},
		"ByDur":  {"time.Duration values written in decimal"},
		"ByTime": {"RFC 3339"},
		"ByAddr": {"netip.Addr values", "IPv4 or IPv6"},
	} {
		s := prop(name)
		if !s.Type.Is("object") || !s.Nullable || s.AdditionalProperties.Schema == nil {
			t.Errorf("%s: %+v", name, s)
		}
		for _, word := range words {
			if !strings.Contains(s.Description, word) {
				t.Errorf("%s description %q lacks %q", name, s.Description, word)
			}
		}
	}
	for name, want := range map[string]struct {
		typ      string
		nullable bool
		example  any
	}{
		"Big":   {"integer", true, json.Number("123456789012345678901234567890")},
		"BigV":  {"integer", false, json.Number("123456789012345678901234567890")},
		"Float": {"string", false, "1.5"},
		"Rat":   {"string", true, "1/3"},
		"Addr":  {"string", false, "192.0.2.1"},
		"Port":  {"string", false, "192.0.2.1:80"},
		"Net":   {"string", true, "192.0.2.0/24"},
	} {
		s := prop(name)
		if !s.Type.Is(want.typ) || s.Nullable != want.nullable || s.Example != want.example || s.Description == "" {
			t.Errorf("%s: type %v nullable %v example %#v description %q; want %s %v %#v", name, s.Type, s.Nullable, s.Example, s.Description, want.typ, want.nullable, want.example)
		}
	}
	if !slices.Contains(w.Required, "Addr") || slices.Contains(w.Required, "Big") {
		t.Errorf("required %v", w.Required)
	}

	// Query parameters: floats and addresses are scalars, with a word on
	// their text; a map keyed by integers is JSON text.
	get := doc.Paths.Find("/Extras").Get
	params := map[string]*openapi3.Parameter{}
	for _, p := range get.Parameters {
		params[p.Value.Name] = p.Value
	}
	if p := params["f"]; p.Schema == nil || floatFormat(p.Schema.Value) != "double" || !strings.Contains(p.Description, "NaN, Infinity") {
		t.Errorf("f: %+v", p)
	}
	if p := params["ip"]; p.Schema == nil || !p.Schema.Value.Type.Is("string") || !strings.Contains(p.Description, "IPv4 or IPv6") {
		t.Errorf("ip: %+v", p)
	}
	if p := params["n"]; p.Schema == nil || p.Required || !p.Schema.Value.Type.Is("integer") {
		t.Errorf("n: %+v", p)
	}
	if p := params["ids"]; p.Content == nil || !strings.Contains(p.Content.Get("application/json").Schema.Value.Description, "decimal") {
		t.Errorf("ids: %+v", p)
	}
	if p := params["fs"]; p.Schema == nil || floatFormat(p.Schema.Value.Items.Value) != "double" {
		t.Errorf("fs: %+v", p)
	}

	// The document, with its examples, reads back and validates.
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"example":123456789012345678901234567890`) {
		t.Error("big.Int's example lost digits")
	}
	loaded, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := loaded.Validate(t.Context()); err != nil {
		t.Fatalf("the JSON read back is invalid: %v", err)
	}
}
