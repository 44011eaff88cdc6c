// Package svcrt is the run-time support of service code: how a host calls
// the services of a loaded package ([Service.Invoke]), and what the code
// microfn generates for a package — the proxies that stand for its
// services, the tables of its error variables — calls ([Runtime]).
//
// It is the same whatever runs the code: the interpreter (package interp
// loads a package and exports its Runtime into the interpreter) or the
// compiled code of a worker executable. Service code never imports it.
package svcrt
