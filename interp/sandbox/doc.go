// Package sandbox is what service code may use of the standard library,
// and the checks that hold it to that.
//
// A load goes parse (package funcs) → check → sandbox → rewrite
// (interp/rewrite) → load into yaegi (package interp). The sandbox
// stage works twice. At check time, after the imports were checked
// against [Allowed] and the package type-checked, [Check] reports at
// file:line:col every use of a name the sandbox leaves out, every write
// to a variable of the host, every unsafe.Pointer value and every
// conversion through which reflection could call an excluded method;
// [CheckSyntax] judges by names when the type information is partial (no
// Go toolchain). At load time, [Symbols] is the standard library the
// interpreter gets: the excluded names left out, guarded functions
// replaced by their guards, and the host's variables copied, so that
// even reflection cannot reach what the check refuses.
//
// The sandbox is a list of names, not of packages: [Packages] are the
// packages service code may import by default, and every name of theirs
// is either allowed (allowed.go) or excluded with a reason (table.go). A
// [Policy] says what the options of a load (--allow, --unrestricted)
// give back.
package sandbox
