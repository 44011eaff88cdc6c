package initorder

var hexDigits = "0123456789abcdef"

var values = func() [256]byte {
	var v [256]byte
	for i, c := range hexDigits {
		v[c] = byte(i)
	}
	order = append(order, "values")
	return v
}()

// Sum depends on Table through a function.
var Sum = total()

func total() int {
	n := 0
	for _, x := range Table {
		n += x
	}
	order = append(order, "Sum")
	return n
}

// Later is declared last and read by nothing.
var Later = len(order)

var order []string
