//go:build ignore

package other

//microfn:service
func Ignored(c chan int) {}
