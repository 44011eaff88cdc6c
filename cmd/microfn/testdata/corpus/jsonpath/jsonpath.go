// Package jsonpath reads JSON by path with github.com/tidwall/gjson.
package jsonpath

import (
	"fmt"

	"github.com/tidwall/gjson"
)

// Get reads each path of a JSON document: its type, raw text and value
// as a string.
//
//microfn:service
func Get(doc string, paths []string) ([]string, error) {
	if !gjson.Valid(doc) {
		return nil, fmt.Errorf("invalid JSON")
	}
	out := []string{}
	for _, p := range paths {
		r := gjson.Get(doc, p)
		out = append(out, fmt.Sprintf("%s: %s %s %q exists=%v", p, r.Type, r.Raw, r.String(), r.Exists()))
	}
	return out, nil
}

// Names lists the names of the array of objects at path, walking it with
// ForEach, and counts them with the # modifier.
//
//microfn:service
func Names(doc, path string) []string {
	var out []string
	gjson.Get(doc, path).ForEach(func(_, v gjson.Result) bool {
		out = append(out, v.Get("name").String())
		return true
	})
	return append(out, "count="+gjson.Get(doc, path+".#").String())
}
