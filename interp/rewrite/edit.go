package rewrite

import (
	"go/token"
	"sort"
	"strings"
)

// An edit replaces the bytes [off, end) of a file with text. Edits never
// overlap; insertions have off == end.
type edit struct {
	off, end int
	text     string
}

// off returns the offset of p in the file.
func (r *fileRewriter) off(p token.Pos) int { return r.fset.Position(p).Offset }

// replace replaces [from, to) with text.
func (r *fileRewriter) replace(from, to token.Pos, text string) {
	r.edits = append(r.edits, edit{r.off(from), r.off(to), text})
}

// insert inserts text at at.
func (r *fileRewriter) insert(at token.Pos, text string) {
	o := r.off(at)
	r.edits = append(r.edits, edit{o, o, text})
}

// replaceKeepLines replaces [from, to) with text followed by as many
// newlines as the span had, so later lines keep their numbers.
func (r *fileRewriter) replaceKeepLines(from, to token.Pos, text string) {
	span := r.file.Src[r.off(from):r.off(to)]
	r.replace(from, to, text+strings.Repeat("\n", strings.Count(string(span), "\n")))
}

// apply returns the file's source with the edits applied.
func (r *fileRewriter) apply() []byte {
	// By offset; at one offset insertions come first, in the order they
	// were made, so a replacement starting there does not swallow them.
	sort.SliceStable(r.edits, func(i, j int) bool {
		a, b := r.edits[i], r.edits[j]
		if a.off != b.off {
			return a.off < b.off
		}
		return a.off == a.end && b.off != b.end
	})
	var b strings.Builder
	last := 0
	src := r.file.Src
	for _, e := range r.edits {
		if e.off < last { // inside a span already replaced: drop it
			continue
		}
		b.Write(src[last:e.off])
		b.WriteString(e.text)
		last = e.end
	}
	b.Write(src[last:])
	return []byte(b.String())
}
