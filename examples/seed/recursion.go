package seed

// Factorial returns n! for n >= 0. Each recursive call is an HTTP call.
//
//microfn:service
func Factorial(n int) int {
	if n <= 1 {
		return 1
	}
	return n * Factorial(n-1)
}

// Fib returns the n-th Fibonacci number (Fib(0) = Fib(1) = 1), calling
// itself twice per step: Fib(10) makes 176 nested HTTP calls.
//
//microfn:service
func Fib(n int) int {
	if n < 2 {
		return 1
	}
	return Fib(n-1) + Fib(n-2)
}
