//go:build race

package server_test

// raceEnabled reports whether the tests run with the race detector, whose
// shadow memory needs a larger memory limit in worker processes.
const raceEnabled = true
