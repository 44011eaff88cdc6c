// Package versions compares semantic versions with
// github.com/Masterminds/semver/v3.
package versions

import (
	"sort"

	"github.com/Masterminds/semver/v3"
)

// Satisfying sorts the versions that parse and lists those the
// constraint allows, with the reasons the others fail.
//
//microfn:service
func Satisfying(constraint string, versions []string) (map[string][]string, error) {
	c, err := semver.NewConstraint(constraint)
	if err != nil {
		return nil, err
	}
	var vs []*semver.Version
	bad := []string{}
	for _, s := range versions {
		v, err := semver.NewVersion(s)
		if err != nil {
			bad = append(bad, s+": "+err.Error())
			continue
		}
		vs = append(vs, v)
	}
	sort.Sort(semver.Collection(vs))
	ok, no := []string{}, []string{}
	for _, v := range vs {
		if valid, errs := c.Validate(v); valid {
			ok = append(ok, v.Original())
		} else {
			no = append(no, v.String()+": "+errs[0].Error())
		}
	}
	return map[string][]string{"ok": ok, "no": no, "bad": bad}, nil
}

// Bump returns the next patch, minor and major versions.
//
//microfn:service
func Bump(version string) ([]string, error) {
	v, err := semver.StrictNewVersion(version)
	if err != nil {
		return nil, err
	}
	return []string{v.IncPatch().String(), v.IncMinor().String(), v.IncMajor().String()}, nil
}
