// Package i18n cases text and matches languages with golang.org/x/text.
package i18n

import (
	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

// Case returns s in title, upper and lower case by the rules of the
// language tag.
//
//microfn:service
func Case(s, tag string) ([]string, error) {
	t, err := language.Parse(tag)
	if err != nil {
		return nil, err
	}
	return []string{cases.Title(t).String(s), cases.Upper(t).String(s), cases.Lower(t).String(s)}, nil
}

// Match picks the supported language an Accept-Language header prefers.
//
//microfn:service
func Match(accept string) (string, error) {
	matcher := language.NewMatcher([]language.Tag{language.English, language.German, language.French, language.MustParse("pt-BR")})
	tags, _, err := language.ParseAcceptLanguage(accept)
	if err != nil {
		return "", err
	}
	tag, _, conf := matcher.Match(tags...)
	base, _ := tag.Base()
	return tag.String() + " " + base.String() + " " + conf.String(), nil
}
