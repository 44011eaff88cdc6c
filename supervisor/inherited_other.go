//go:build !unix

package supervisor

// closeInheritedOnExec does nothing where there are no Unix descriptors.
func closeInheritedOnExec() {}
