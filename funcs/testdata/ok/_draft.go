package draft

//microfn:service
func Draft(c chan int) {}
