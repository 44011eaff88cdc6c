package shapes

// Test files are not part of the package: this directive is never checked.
//
//microfn:servce
func TestOnly(c chan int) {}
