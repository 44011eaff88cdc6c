package prog

func two() (int, string)         { return 1, "one" }
func three() (int, string, bool) { return 3, "three", true }

var table = map[string]int{"k": 7}

var boxed any = "str"

var ready = func() chan int { c := make(chan int, 1); c <- 5; return c }()

var Lo, Hi = bounds(table)

var Code, _ = strconv2(V)

func bounds(m map[string]int) (int, int) { return -m["k"], m["k"] }

func strconv2(v int) (string, error) { return "code" + string(rune('0'+v)), nil }
