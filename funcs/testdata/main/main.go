package main

//microfn:service
func Hello() string { return "hello" }

func main() {}
