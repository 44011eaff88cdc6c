package main

// packages lists what is taken of each package of the standard library
// with generic functions or types, with the patches of what interpreted
// code cannot do. The names of package generic's Natives of a package
// (lowercase) are in scope in its source. Left out: database/sql.Null
// (see generic.Missing).
var packages = []pkgSpec{
	{path: "cmp"},
	{path: "crypto/hkdf", patch: `
import "hash"

func Extract[H hash.Hash](h func() H, secret, salt []byte) ([]byte, error) {
	return hostExtract(func() hash.Hash { return h() }, secret, salt)
}

func Expand[H hash.Hash](h func() H, pseudorandomKey []byte, info string, keyLength int) ([]byte, error) {
	return hostExpand(func() hash.Hash { return h() }, pseudorandomKey, info, keyLength)
}

func Key[Hash hash.Hash](h func() Hash, secret, salt []byte, info string, keyLength int) ([]byte, error) {
	return hostKey(func() hash.Hash { return h() }, secret, salt, info, keyLength)
}
`},
	{path: "crypto/pbkdf2", patch: `
import "hash"

func Key[Hash hash.Hash](h func() Hash, password string, salt []byte, iter, keyLength int) ([]byte, error) {
	return hostKey(func() hash.Hash { return h() }, password, salt, iter, keyLength)
}
`},
	{path: "errors"},
	{path: "hash/maphash", patch: `
func Comparable[T comparable](seed Seed, v T) uint64 {
	return hostComparable(seed, v)
}

func WriteComparable[T comparable](h *Hash, x T) {
	hostWriteComparable(h, x)
}
`},
	{path: "iter", patch: `
// Pull is the standard library's, on the host: the values go through it
// in boxes.
func Pull[V any](seq Seq[V]) (next func() (V, bool), stop func()) {
	n, s := hostPull(func(yield func(any) bool) {
		seq(func(v V) bool { return yield(&v) })
	})
	next = func() (V, bool) {
		p, ok := n()
		if !ok {
			var zero V
			return zero, false
		}
		return *p.(*V), true
	}
	return next, s
}

// Pull2 is the standard library's, on the host: the values go through it
// in boxes.
func Pull2[K, V any](seq Seq2[K, V]) (next func() (K, V, bool), stop func()) {
	n, s := hostPull(func(yield func(any) bool) {
		seq(func(k K, v V) bool { return yield(func() (K, V) { return k, v }) })
	})
	next = func() (K, V, bool) {
		p, ok := n()
		if !ok {
			var k K
			var v V
			return k, v, false
		}
		k, v := p.(func() (K, V))()
		return k, v, true
	}
	return next, s
}
`},
	{path: "maps", patch: `
func Clone[M ~map[K]V, K comparable, V any](m M) M {
	// Preserve nil in case it matters.
	if m == nil {
		return nil
	}
	c := make(M, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}
`},
	{path: "math/rand/v2", patch: `
func N[Int intType](n Int) Int {
	if n <= 0 {
		panic("invalid argument to N")
	}
	return Int(Uint64N(uint64(n)))
}
`},
	{path: "reflect", patch: `
func TypeFor[T any]() Type {
	return TypeOf((*T)(nil)).Elem()
}

func TypeAssert[T any](v Value) (T, bool) {
	if !v.IsValid() {
		panic(&ValueError{"reflect.TypeAssert", Invalid})
	}
	if !v.CanInterface() {
		panic("reflect.TypeAssert: cannot return value obtained from unexported field or method")
	}
	x, ok := v.Interface().(T)
	return x, ok
}
`},
	{path: "runtime", patch: `
func AddCleanup[T, S any](ptr *T, cleanup func(S), arg S) Cleanup {
	if ptr == nil {
		panic("runtime.AddCleanup: ptr is nil")
	}
	return hostAddCleanup(ptr, func(a any) {
		s, _ := a.(S)
		cleanup(s)
	}, arg)
}
`},
	{path: "slices", patch: `
// overlaps reports whether the memory ranges a[0:len(a)] and b[0:len(b)]
// overlap: whether one starts within the other, as two slices of one
// type can only overlap element by element.
func overlaps[E any](a, b []E) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	for i := range a {
		if &a[i] == &b[0] {
			return true
		}
	}
	for i := range b {
		if &b[i] == &a[0] {
			return true
		}
	}
	return false
}
`},
	{path: "sync"},
	{path: "sync/atomic", patch: `
import "sync"

// A Pointer is an atomic pointer of type *T. The zero value is a nil *T.
//
// Pointer must not be copied after first use. (Its mutex tells go vet so;
// the interpreter allows one blank field only.)
type Pointer[T any] struct {
	_  [0]*T
	mu sync.Mutex
	v  *T
}

// Load atomically loads and returns the value stored in x.
func (x *Pointer[T]) Load() *T {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.v
}

// Store atomically stores val into x.
func (x *Pointer[T]) Store(val *T) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.v = val
}

// Swap atomically stores new into x and returns the previous value.
func (x *Pointer[T]) Swap(new *T) (old *T) {
	x.mu.Lock()
	defer x.mu.Unlock()
	old, x.v = x.v, new
	return old
}

// CompareAndSwap executes the compare-and-swap operation for x.
func (x *Pointer[T]) CompareAndSwap(old, new *T) (swapped bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.v != old {
		return false
	}
	x.v = new
	return true
}
`},
	{path: "unique", patch: `
// Handle is a globally unique identity for some value of type T.
//
// Two handles compare equal exactly if the two values used to create the
// handles would have also compared equal. The comparison of two handles
// is trivial and typically much more efficient than comparing the values
// used to create them.
type Handle[T comparable] struct {
	_ [0]*T
	h hostHandle
}

// Value returns a shallow copy of the value that produced the Handle.
// Value is safe for concurrent use by multiple goroutines.
func (h Handle[T]) Value() T {
	v, _ := hostValue(h.h).(T)
	return v
}

// Make returns a globally unique handle for a value of type T. Handles
// are equal if and only if the values used to produce them are equal.
// Make is safe for concurrent use by multiple goroutines.
func Make[T comparable](value T) Handle[T] {
	return Handle[T]{h: hostMake(value)}
}
`},
	{path: "weak", patch: `
// Pointer is a weak pointer to a value of type T.
type Pointer[T any] struct {
	_ [0]*T
	u hostPointer
}

// Make creates a weak pointer from a pointer to some value of type T.
func Make[T any](ptr *T) Pointer[T] {
	return Pointer[T]{u: hostMake(ptr)}
}

// Value returns the original pointer used to create the weak pointer.
// It returns nil if the value pointed to by the original pointer was reclaimed by
// the garbage collector.
// If a weak pointer points to an object with a finalizer, then Value will
// return nil as soon as the object's finalizer is queued for execution.
func (p Pointer[T]) Value() *T {
	v, _ := hostValue(p.u, (*T)(nil)).(*T)
	return v
}
`},
}
