package hidden

//microfn:service
func Hidden(c chan int) {}
