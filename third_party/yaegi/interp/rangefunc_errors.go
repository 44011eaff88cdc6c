//go:build go1.23

package interp

// The run-time errors of a range over a function, as the Go runtime
// raises them (a runtime.Error of the runtime's own type and text), got
// from the runtime itself.
var (
	rangeFuncDoneError = rangeFuncError(func() {
		for range func(yield func() bool) { yield(); yield() } {
			break
		}
	})
	rangeFuncExhaustedError = rangeFuncError(func() {
		var saved func() bool
		for range func(yield func() bool) { saved = yield } {
		}
		saved()
	})
	rangeFuncPanicError = rangeFuncError(func() {
		for range func(yield func() bool) {
			func() {
				defer func() { _ = recover() }()
				yield()
			}()
			yield()
		} {
			panic(nil)
		}
	})
	rangeFuncMissingPanicError = rangeFuncError(func() {
		for range func(yield func() bool) {
			defer func() { _ = recover() }()
			yield()
		} {
			panic(nil)
		}
	})
)

// rangeFuncError returns the error f panics with.
func rangeFuncError(f func()) (err error) {
	defer func() { err, _ = recover().(error) }()
	f()
	return nil
}
