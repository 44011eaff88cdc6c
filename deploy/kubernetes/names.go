package kubernetes

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// NamePrefix starts the name of every Deployment and Service.
const NamePrefix = "microfn-"

// objectName turns a route ("billing/Charge") or a package directory
// ("billing") into the name of its Deployment and Service, a DNS-1123
// label: NamePrefix followed by the lower-cased text, every run of other
// characters than letters and digits becoming one "-". A name longer than
// a label allows is cut and ends with a hash of the whole text, so it stays
// unique.
func objectName(s string) (string, error) {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	name := b.String()
	if name == "" {
		return "", fmt.Errorf("%q has no letter or digit to name a Kubernetes object after", s)
	}
	name = NamePrefix + name
	if len(name) > validation.DNS1123LabelMaxLength {
		sum := sha256.Sum256([]byte(s))
		suffix := "-" + hex.EncodeToString(sum[:4])
		name = strings.TrimRight(name[:validation.DNS1123LabelMaxLength-len(suffix)], "-") + suffix
	}
	if errs := validation.IsDNS1123Label(name); len(errs) > 0 {
		return "", fmt.Errorf("%q gives the name %q: %s", s, name, strings.Join(errs, "; "))
	}
	return name, nil
}

// configMapKey is the ConfigMap key of the source file at the slash
// separated path rel below the root: "billing/charge.go" is stored as
// "billing__charge.go".
func configMapKey(rel string) (string, error) {
	key := strings.ReplaceAll(rel, "/", "__")
	if errs := validation.IsConfigMapKey(key); len(errs) > 0 {
		return "", fmt.Errorf("source file %s cannot be stored in a ConfigMap (key %q: %s); rename it", rel, key, strings.Join(errs, "; "))
	}
	return key, nil
}
