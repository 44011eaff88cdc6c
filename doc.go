// Package microfn is the small API that service code may import.
//
// Service code is plain Go: a folder of services builds, vets and tests with
// the ordinary Go toolchain. When microfn serves the folder, this package is
// also exported into the interpreter under the same import path,
// github.com/microfn/microfn, so the same calls work in both worlds.
//
// A service chooses how its failures are reported and retried:
//
//	//microfn:service
//	func User(id int) (User, error) {
//		u, ok := users[id]
//		if !ok {
//			return User{}, microfn.Error(http.StatusNotFound, "no user %d", id)
//		}
//		return u, nil
//	}
//
// An error made by [Error] with a 4xx status, or wrapped by [Permanent], is
// never retried. Any other error a service returns is answered with status
// 500 and retried under the service's policy.
package microfn
