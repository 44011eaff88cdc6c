// Package slugs makes URL slugs with github.com/gosimple/slug.
package slugs

import (
	"github.com/gosimple/slug"
)

// Make makes the slug of a title, in the language given, and says
// whether it is a valid slug.
//
//microfn:service
func Make(title, lang string) map[string]any {
	s := slug.MakeLang(title, lang)
	return map[string]any{"slug": s, "valid": slug.IsSlug(s), "plain": slug.Make(title)}
}
