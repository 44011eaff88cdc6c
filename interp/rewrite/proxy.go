package rewrite

import (
	"fmt"
	"go/ast"
	"strconv"
	"strings"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/svcrt"
)

// writeProxy writes the proxy of service i: a function with the service's
// name and signature that calls the host.
func (r *fileRewriter) writeProxy(b *strings.Builder, i int, d *funcs.Descriptor) {
	if svcrt.HasTypedProxy(d) {
		r.writeTypedProxy(b, i, d)
		return
	}
	params, args, ctxArg, named, ptrs := r.proxyParts(d)
	// One slice holds the pointers to the arguments, then to the results:
	// the host knows how many arguments the service takes.
	vals := strings.Join(append(args, ptrs...), ", ")
	fmt.Fprintf(b, "func %s(%s) (%s) {\n", d.Name, strings.Join(params, ", "), strings.Join(named, ", "))
	if d.Error {
		fmt.Fprintf(b, "\tmicrofn_err = %s.Call(%s, %d, []any{%s})\n\treturn\n}\n\n", ProxyName, ctxArg, i, vals)
		return
	}
	fmt.Fprintf(b, "\t%s.MustCall(%s, %d, []any{%s})\n\treturn\n}\n\n", ProxyName, ctxArg, i, vals)
}

// writeCompiledProxy writes the proxy of service i of the package of
// import path path, for the compiler: a function with the service's name
// and signature that calls the runtime.
func (r *fileRewriter) writeCompiledProxy(b *strings.Builder, path string, i int, d *funcs.Descriptor) {
	params, args, ctxArg, named, ptrs := r.proxyParts(d)
	vals := strings.Join(append(args, ptrs...), ", ")
	fmt.Fprintf(b, "func %s(%s) (%s) {\n", d.Name, strings.Join(params, ", "), strings.Join(named, ", "))
	if d.Error {
		fmt.Fprintf(b, "\tmicrofn_err = %s.CallService(%s, %q, %d, []any{%s})\n\treturn\n}\n\n", ProxyName, ctxArg, path, i, vals)
		return
	}
	fmt.Fprintf(b, "\t%s.MustCallService(%s, %q, %d, []any{%s})\n\treturn\n}\n\n", ProxyName, ctxArg, path, i, vals)
}

// proxyParts returns the parts of the proxy of d: its parameters, the
// pointers to the arguments (without a context), the context argument
// ("nil" without one), its named results, and the pointers to the
// results (without the error).
func (r *fileRewriter) proxyParts(d *funcs.Descriptor) (params, args []string, ctxArg string, named, ptrs []string) {
	ft := d.Decl.Type
	ctxArg = "nil"
	n := 0
	for _, field := range ft.Params.List {
		typ := r.text(field.Type)
		for range max(1, len(field.Names)) {
			name := "microfn_p" + strconv.Itoa(n)
			params = append(params, name+" "+typ)
			if n == 0 && d.Context {
				ctxArg = name
			} else {
				args = append(args, "&"+name)
			}
			n++
		}
	}
	var results []string
	if ft.Results != nil {
		for _, field := range ft.Results.List {
			typ := r.text(field.Type)
			for range max(1, len(field.Names)) {
				results = append(results, typ)
			}
		}
	}
	// The results are named, so the proxy's result variables are in its
	// frame already and the host writes them through their pointers.
	for k, typ := range results {
		if d.Error && k == len(results)-1 {
			named = append(named, "microfn_err "+typ)
			continue
		}
		v := "microfn_r" + strconv.Itoa(k)
		named = append(named, v+" "+typ)
		ptrs = append(ptrs, "&"+v)
	}
	return params, args, ctxArg, named, ptrs
}

// writeTypedProxy declares the proxy of service i, whose signature has
// only host types, as the host function the runtime makes for it (see
// svcrt.HasTypedProxy): var Name = microfnrt.Proxy(i).(func(params) (results)).
func (r *fileRewriter) writeTypedProxy(b *strings.Builder, i int, d *funcs.Descriptor) {
	ft := d.Decl.Type
	types := func(fields *ast.FieldList) []string {
		var out []string
		if fields == nil {
			return out
		}
		for _, field := range fields.List {
			typ := r.text(field.Type)
			for range max(1, len(field.Names)) {
				out = append(out, typ)
			}
		}
		return out
	}
	fmt.Fprintf(b, "var %s = %s.Proxy(%d).(func(%s) (%s))\n\n", d.Name, ProxyName, i,
		strings.Join(types(ft.Params), ", "), strings.Join(types(ft.Results), ", "))
}
