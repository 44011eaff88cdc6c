package main

// The documentation's tests: README.md and docs/*.md say what microfn
// does, and these tests keep them saying it truly. Every relative link and
// anchor resolves, as GitHub renders them; every microfn command they show
// parses with the command line's real flags; every flag of every command
// is in the reference; and the README's quick start serves what the README
// shows, over real HTTP.

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
)

// repoRoot is the module's root, from this package's directory.
const repoRoot = "../.."

// A mdDoc is a Markdown document, read for what the tests check.
type mdDoc struct {
	path string // relative to the repository's root, slash-separated
	// paras are its paragraphs outside fenced code blocks: runs of
	// non-blank lines, joined with newlines, with the line each starts on.
	paras []mdText
	// blocks are its fenced code blocks.
	blocks []mdBlock
	// headings are its ATX headings, as written.
	headings []mdHeading
}

// An mdHeading is a heading of a document: its level (1 for #) and its
// text, with the line it is on.
type mdHeading struct {
	line, level int
	text        string
}

// An mdText is text of a document and the line it starts on.
type mdText struct {
	line int
	text string
}

// An mdBlock is a fenced code block: its info string's first word and its
// lines, with the line of the first.
type mdBlock struct {
	lang  string
	line  int
	lines []string
}

var fenceRE = regexp.MustCompile("^ {0,3}(```+|~~~+)\\s*([^`\\s]*)")
var headingRE = regexp.MustCompile(`^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$`)

// readDoc reads the document at path, relative to the repository's root.
func readDoc(t *testing.T, path string) *mdDoc {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, filepath.FromSlash(path)))
	if err != nil {
		t.Fatal(err)
	}
	d := &mdDoc{path: path}
	lines := strings.Split(string(data), "\n")
	var para []string
	paraLine := 0
	flush := func() {
		if len(para) > 0 {
			d.paras = append(d.paras, mdText{paraLine, strings.Join(para, "\n")})
			para = nil
		}
	}
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if m := fenceRE.FindStringSubmatch(l); m != nil {
			flush()
			b := mdBlock{lang: m[2], line: i + 2}
			fence := m[1]
			for i++; i < len(lines); i++ {
				if t := strings.TrimLeft(lines[i], " "); strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]+" \t") == "" {
					break
				}
				b.lines = append(b.lines, lines[i])
			}
			d.blocks = append(d.blocks, b)
			continue
		}
		if strings.TrimSpace(l) == "" {
			flush()
			continue
		}
		if m := headingRE.FindStringSubmatch(l); m != nil {
			flush()
			d.headings = append(d.headings, mdHeading{i + 1, len(m[1]), m[2]})
		}
		if len(para) == 0 {
			paraLine = i + 1
		}
		para = append(para, l)
	}
	flush()
	return d
}

// codeSpans returns the inline code spans of a paragraph, their newlines
// made spaces, and the paragraph with each span's content blanked out.
func codeSpans(s string) (spans []string, rest string) {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '`' {
			b.WriteByte(s[i])
			i++
			continue
		}
		n := 0
		for i+n < len(s) && s[i+n] == '`' {
			n++
		}
		ticks := s[i : i+n]
		end := -1
		for j := i + n; j < len(s); {
			k := strings.Index(s[j:], ticks)
			if k < 0 {
				break
			}
			k += j
			if k+n < len(s) && s[k+n] == '`' { // a longer run
				for k < len(s) && s[k] == '`' {
					k++
				}
				j = k
				continue
			}
			end = k
			break
		}
		if end < 0 { // no closing run: the backticks are text
			b.WriteString(ticks)
			i += n
			continue
		}
		content := strings.ReplaceAll(s[i+n:end], "\n", " ")
		if len(content) > 2 && content[0] == ' ' && content[len(content)-1] == ' ' {
			content = content[1 : len(content)-1]
		}
		spans = append(spans, content)
		b.WriteString("``")
		i = end + n
	}
	return spans, b.String()
}

// headingText is the text GitHub makes a heading's anchor of: the heading
// as rendered, without its inline markup.
func headingText(h string) string {
	h = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`).ReplaceAllString(h, "$1")
	h = regexp.MustCompile(`<[^>]+>`).ReplaceAllString(h, "")
	return strings.NewReplacer("`", "", "*", "").Replace(h)
}

// githubSlug is the anchor GitHub gives a heading of text s (before
// duplicates are numbered): lower case, punctuation and symbols dropped
// but hyphens and underscores, each space a hyphen.
func githubSlug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		switch {
		case unicode.IsLetter(r), unicode.IsNumber(r), unicode.IsMark(r), r == '_', r == '-':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// headingAnchors returns the anchor of each heading of d, in order,
// numbered as GitHub numbers duplicates (x, x-1, x-2, …).
func (d *mdDoc) headingAnchors() []string {
	var out []string
	seen := map[string]int{}
	for _, h := range d.headings {
		slug := githubSlug(headingText(h.text))
		n := seen[slug]
		seen[slug] = n + 1
		if n > 0 {
			slug = fmt.Sprintf("%s-%d", slug, n)
		}
		out = append(out, slug)
	}
	return out
}

var htmlAnchorRE = regexp.MustCompile(`<a\s+(?:id|name)="([^"]+)"`)

// anchors returns the anchors of d: its headings', numbered as GitHub
// numbers duplicates (x, x-1, x-2, …), and those of HTML anchors.
func (d *mdDoc) anchors() map[string]bool {
	out := map[string]bool{}
	for _, slug := range d.headingAnchors() {
		out[slug] = true
	}
	for _, p := range d.paras {
		for _, m := range htmlAnchorRE.FindAllStringSubmatch(p.text, -1) {
			out[m[1]] = true
		}
	}
	return out
}

// docFiles are the documents the tests read: the README and docs/*.md.
func docFiles(t *testing.T) []string {
	t.Helper()
	files := []string{"README.md"}
	matches, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range matches {
		files = append(files, "docs/"+filepath.Base(m))
	}
	if len(files) < 3 {
		t.Fatalf("found %v: the documents are missing", files)
	}
	return files
}

var linkRE = regexp.MustCompile(`!?\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)
var schemeRE = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)

// TestDocsLinks: every relative link of the README and docs/*.md names a
// file or folder of the repository, and every #anchor one of the headings
// (or HTML anchors) of the document it points into, by GitHub's rules.
func TestDocsLinks(t *testing.T) {
	t.Parallel()
	docs := map[string]*mdDoc{}
	doc := func(path string) *mdDoc {
		if d, ok := docs[path]; ok {
			return d
		}
		d := readDoc(t, path)
		docs[path] = d
		return d
	}
	checked := 0
	for _, path := range docFiles(t) {
		d := doc(path)
		for _, p := range d.paras {
			_, text := codeSpans(p.text)
			for _, m := range linkRE.FindAllStringSubmatch(text, -1) {
				target := m[2]
				if schemeRE.MatchString(target) || strings.HasPrefix(target, "//") {
					continue
				}
				checked++
				where := fmt.Sprintf("%s:%d: link %q", path, p.line, target)
				file, anchor, _ := strings.Cut(target, "#")
				into := path
				if file != "" {
					into = filepath.ToSlash(filepath.Clean(filepath.Join(filepath.Dir(path), file)))
					if into == ".." || strings.HasPrefix(into, "../") {
						t.Errorf("%s: leaves the repository", where)
						continue
					}
					info, err := os.Stat(filepath.Join(repoRoot, filepath.FromSlash(into)))
					if err != nil {
						t.Errorf("%s: %s does not exist", where, into)
						continue
					}
					if anchor != "" && (info.IsDir() || !strings.HasSuffix(into, ".md")) {
						t.Errorf("%s: an anchor into %s, which is not a Markdown document", where, into)
						continue
					}
				}
				if anchor != "" && !doc(into).anchors()[anchor] {
					t.Errorf("%s: %s has no heading whose anchor is #%s", where, into, anchor)
				}
			}
		}
	}
	if checked < 50 {
		t.Errorf("checked %d relative links: the documents' links were not found", checked)
	}
}

// TestDocsContents: the README and each document of docs/ (but the
// benchmark report, which go run ./bench writes) open with a table of
// contents that links to each of their ## and ### headings.
func TestDocsContents(t *testing.T) {
	t.Parallel()
	for _, path := range docFiles(t) {
		if path == "docs/benchmarks.md" {
			continue
		}
		d := readDoc(t, path)
		anchors := d.headingAnchors()
		contents := slices.IndexFunc(d.headings, func(h mdHeading) bool { return h.text == "Contents" })
		if contents < 0 {
			t.Errorf("%s has no Contents heading", path)
			continue
		}
		// The Contents section: its paragraphs up to the next heading.
		start, end := d.headings[contents].line, 1<<31
		if contents+1 < len(d.headings) {
			end = d.headings[contents+1].line
		}
		var toc strings.Builder
		for _, p := range d.paras {
			if p.line > start && p.line < end {
				toc.WriteString(p.text + "\n")
			}
		}
		for i, h := range d.headings {
			if i == contents || h.level < 2 || h.level > 3 {
				continue
			}
			if !strings.Contains(toc.String(), "](#"+anchors[i]+")") {
				t.Errorf("%s:%d: the Contents do not link to %q (#%s)", path, h.line, h.text, anchors[i])
			}
		}
	}
}

// TestGithubSlug pins the anchor rules the link test applies.
func TestGithubSlug(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ heading, want string }{
		{"Tiers: interpreted at once, compiled within seconds", "tiers-interpreted-at-once-compiled-within-seconds"},
		{"One executable for production: `microfn build DIR`", "one-executable-for-production-microfn-build-dir"},
		{"From a web page (CORS)", "from-a-web-page-cors"},
		{"Under `go test`", "under-go-test"},
		{"A microfn with modules compiled in: `microfn build --with`", "a-microfn-with-modules-compiled-in-microfn-build---with"},
		{"What the fork does as Go does", "what-the-fork-does-as-go-does"},
		{"1. Direct calls", "1-direct-calls"},
		{"Flags of `max_depth` — and [more](x.md)", "flags-of-max_depth--and-more"},
	} {
		if got := githubSlug(headingText(tc.heading)); got != tc.want {
			t.Errorf("anchor of %q = %q, want %q", tc.heading, got, tc.want)
		}
	}
}

// A shownCommand is a command line a document shows.
type shownCommand struct {
	where string // file:line
	line  string
}

// shownCommands returns the command lines of d: the lines of its shell
// code blocks (a console block's after "$ "), continuation lines joined,
// and its inline code spans that start with "microfn ".
func shownCommands(d *mdDoc) []shownCommand {
	var out []shownCommand
	for _, b := range d.blocks {
		switch b.lang {
		case "sh", "bash", "shell", "console":
		default:
			continue
		}
		for i := 0; i < len(b.lines); i++ {
			l := b.lines[i]
			if b.lang == "console" {
				cmd, ok := strings.CutPrefix(l, "$ ")
				if !ok {
					continue
				}
				l = cmd
			}
			start := b.line + i
			for strings.HasSuffix(l, "\\") && i+1 < len(b.lines) {
				i++
				l = strings.TrimSuffix(l, "\\") + " " + strings.TrimSpace(b.lines[i])
			}
			out = append(out, shownCommand{fmt.Sprintf("%s:%d", d.path, start), l})
		}
	}
	for _, p := range d.paras {
		spans, _ := codeSpans(p.text)
		for _, s := range spans {
			if strings.HasPrefix(s, "microfn ") {
				out = append(out, shownCommand{fmt.Sprintf("%s:%d", d.path, p.line), s})
			}
		}
	}
	return out
}

// shellWords splits a command line into words as a shell would, quotes
// and backslashes honoured, up to a comment or the end of the first
// command (|, >, <, ;, &).
func shellWords(line string) []string {
	var words []string
	var w strings.Builder
	in := false // a word is under way
	end := func() {
		if in {
			words = append(words, w.String())
			w.Reset()
			in = false
		}
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			end()
		case c == '#' && !in:
			return words
		case strings.IndexByte("|><;&", c) >= 0:
			end()
			return words
		case c == '\\' && i+1 < len(line):
			i++
			w.WriteByte(line[i])
			in = true
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				j = len(line) - i - 1
			}
			w.WriteString(line[i+1 : i+1+j])
			i += j + 1
			in = true
		case c == '"':
			i++
			for ; i < len(line) && line[i] != '"'; i++ {
				if line[i] == '\\' && i+1 < len(line) {
					i++
				}
				w.WriteByte(line[i])
			}
			in = true
		default:
			w.WriteByte(c)
			in = true
		}
	}
	end()
	return words
}

// microfnArgs returns the arguments of the microfn command in words (after
// "microfn", or "go run ./cmd/microfn"), and whether there is one.
func microfnArgs(words []string) ([]string, bool) {
	for i, w := range words {
		if w == "microfn" || w == "./cmd/microfn" && i >= 2 && words[i-2] == "go" && words[i-1] == "run" {
			return words[i+1:], true
		}
	}
	return nil, false
}

// A cliFlag is a flag of a command, as its -help lists it.
type cliFlag struct {
	name   string
	isBool bool
}

var helpFlagRE = regexp.MustCompile(`^  -(\S+)(\s*)(.*)$`)

// commandFlags returns the flags of the command args names (such as
// "serve", or "deploy", "kubernetes"), from its -help.
func commandFlags(t *testing.T, args ...string) ([]cliFlag, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	run(context.Background(), append(slices.Clone(args), "-help"), &out, &errOut)
	help := errOut.String() + out.String()
	_, list, ok := strings.Cut(help, "\nFlags:\n")
	if !ok {
		return nil, fmt.Errorf("microfn %s -help lists no flags:\n%s", strings.Join(args, " "), help)
	}
	var flags []cliFlag
	for l := range strings.SplitSeq(list, "\n") {
		m := helpFlagRE.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		// flag.PrintDefaults writes "-name TYPE" for a flag that takes a
		// value, "-name" alone (or a tab and its usage) for a boolean.
		flags = append(flags, cliFlag{name: m[1], isBool: m[2] != " " || m[3] == ""})
	}
	if len(flags) == 0 {
		return nil, fmt.Errorf("microfn %s -help lists no flags:\n%s", strings.Join(args, " "), help)
	}
	return flags, nil
}

// subcommands are the commands that name a subcommand next.
var subcommands = map[string][]string{
	"deploy": {"kubernetes"},
	"db":     {"migrate", "status", "shell"},
	"cache":  {"clean"},
}

// commands are microfn's commands.
var commands = []string{"serve", "run", "check", "call", "routes", "openapi", "deploy", "build", "db", "cache", "version", "help"}

// TestDocsCommands: every microfn command the README and docs/*.md show —
// in shell code blocks, and in inline code that starts with "microfn " —
// names a command that exists and parses with its real flags.
func TestDocsCommands(t *testing.T) {
	t.Parallel()
	flagsOf := map[string][]cliFlag{}
	checked := map[string]int{}
	for _, path := range docFiles(t) {
		for _, c := range shownCommands(readDoc(t, path)) {
			args, ok := microfnArgs(shellWords(c.line))
			if !ok || len(args) == 0 || strings.HasPrefix(args[0], "-") {
				continue
			}
			checked[path]++
			where := fmt.Sprintf("%s: %q", c.where, c.line)
			cmd := args[0]
			if !slices.Contains(commands, cmd) {
				t.Errorf("%s: microfn has no command %q", where, cmd)
				continue
			}
			key := []string{cmd}
			rest := args[1:]
			if subs, ok := subcommands[cmd]; ok {
				if len(rest) == 0 {
					continue // "microfn db": the command alone
				}
				// "migrate|status|shell" names each of them.
				for s := range strings.SplitSeq(rest[0], "|") {
					if !slices.Contains(subs, s) {
						t.Errorf("%s: microfn %s has no subcommand %q (it has %s)", where, cmd, s, strings.Join(subs, ", "))
					}
				}
				key = append(key, strings.Split(rest[0], "|")[0])
				rest = rest[1:]
			}
			if cmd == "version" || cmd == "help" {
				continue
			}
			k := strings.Join(key, " ")
			flags, ok := flagsOf[k]
			if !ok {
				var err error
				if flags, err = commandFlags(t, key...); err != nil {
					t.Fatal(err)
				}
				flagsOf[k] = flags
			}
			fs := flag.NewFlagSet("microfn "+k, flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			for _, f := range flags {
				if f.isBool {
					fs.Bool(f.name, false, "")
				} else {
					fs.String(f.name, "", "")
				}
			}
			if cmd == "db" {
				// microfn db takes its flags before DIR.
				if err := fs.Parse(rest); err != nil {
					t.Errorf("%s: %v", where, err)
				} else if i := slices.IndexFunc(fs.Args(), func(a string) bool { return strings.HasPrefix(a, "-") }); i >= 0 {
					t.Errorf("%s: microfn db takes its flags before DIR, and %s comes after", where, fs.Args()[i])
				}
				continue
			}
			if _, err := parseInterspersed(fs, rest); err != nil {
				t.Errorf("%s: %v", where, err)
			}
		}
	}
	if checked["README.md"] < 5 || checked["docs/reference.md"] < 10 {
		t.Errorf("checked %v commands: the documents' commands were not found", checked)
	}
}

// TestDocsFlagsInReference: docs/reference.md names every flag of every
// command.
func TestDocsFlagsInReference(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(repoRoot, "docs", "reference.md"))
	if err != nil {
		t.Fatal(err)
	}
	ref := string(data)
	for _, key := range [][]string{{"serve"}, {"run"}, {"check"}, {"call"}, {"routes"}, {"openapi"}, {"deploy", "kubernetes"}, {"build"}, {"db", "migrate"}, {"cache"}} {
		flags, err := commandFlags(t, key...)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range flags {
			if !regexp.MustCompile(`(^|[^\w-])--?` + regexp.QuoteMeta(f.name) + `([^\w-]|$)`).MatchString(ref) {
				t.Errorf("docs/reference.md does not name --%s of microfn %s", f.name, strings.Join(key, " "))
			}
		}
	}
}

// TestReadmeQuickStart: the README opens with the two commands a newcomer
// needs, the test one is what CI runs, and the README's tour does what it
// shows: each console block that serves a folder ("$ microfn serve DIR":
// the bundled examples, or a folder whose files the README's Go blocks
// write, their first line naming the file) is served, by the command the
// README shows on a free loopback port, and each "$ curl" after it is
// made over real HTTP and answers the lines the README shows under it.
func TestReadmeQuickStart(t *testing.T) {
	t.Parallel()
	d := readDoc(t, "README.md")
	if len(d.blocks) == 0 || len(d.blocks[0].lines) < 2 {
		t.Fatal("README.md opens with no code block of commands")
	}
	first := d.blocks[0].lines
	quick := shellWords(first[0])
	if want := []string{"go", "run", "./cmd/microfn", "serve", "examples/seed"}; !slices.Equal(quick, want) {
		t.Errorf("README's first command is %q, want %q", first[0], strings.Join(want, " "))
	}
	testCmd := shellWords(first[1])
	if !slices.Equal(testCmd, []string{"./scripts/test"}) {
		t.Errorf("README's second command is %q, want ./scripts/test", first[1])
	}
	if info, err := os.Stat(filepath.Join(repoRoot, "scripts", "test")); err != nil || info.Mode()&0o111 == 0 {
		t.Errorf("scripts/test is not an executable file: %v", err)
	}
	if ci, err := os.ReadFile(filepath.Join(repoRoot, ".ci", "run")); err != nil || !regexp.MustCompile(`(?m)^exec \./scripts/test$`).Match(ci) {
		t.Errorf(".ci/run does not run the README's test command (exec ./scripts/test): %v", err)
	}

	// The folders the README's Go blocks write: a block whose first
	// line is "// DIR/FILE.go".
	written := t.TempDir()
	for _, b := range d.blocks {
		if b.lang != "go" || len(b.lines) == 0 {
			continue
		}
		name, ok := strings.CutPrefix(b.lines[0], "// ")
		if !ok || !strings.HasSuffix(name, ".go") || !strings.Contains(name, "/") || strings.Contains(name, " ") {
			continue
		}
		writeFile(t, filepath.Join(written, filepath.FromSlash(name)), strings.Join(b.lines, "\n")+"\n")
	}

	servers := map[string]string{} // the base URL of each folder served
	serve := func(args []string) (string, bool) {
		t.Helper()
		key := strings.Join(args, " ")
		if base, ok := servers[key]; ok {
			return base, true
		}
		args = slices.Clone(args)
		for i, a := range args[1:] {
			switch {
			case exists(filepath.Join(repoRoot, filepath.FromSlash(a))):
				args[i+1] = filepath.Join(repoRoot, filepath.FromSlash(a))
			case exists(filepath.Join(written, filepath.FromSlash(a))):
				args[i+1] = filepath.Join(written, filepath.FromSlash(a))
			}
		}
		if !exists(args[1]) {
			t.Errorf("README serves %s, which is neither in the repository nor written by one of its Go blocks", args[1])
			return "", false
		}
		addr := freeAddr(t)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan int, 1)
		var logs syncBuffer
		go func() { done <- run(ctx, append(args, "--addr", addr), io.Discard, &logs) }()
		t.Cleanup(func() {
			cancel()
			select {
			case code := <-done:
				if code != 0 {
					t.Errorf("microfn %s exited %d:\n%s", key, code, logs.String())
				}
			case <-time.After(60 * time.Second):
				t.Errorf("microfn %s did not stop within 60s of its end", key)
			}
		})
		deadline := time.Now().Add(90 * time.Second)
		for !loaded(addr) {
			select {
			case code := <-done:
				t.Errorf("microfn %s exited %d before it served:\n%s", key, code, logs.String())
				done <- 0 // said: the cleanup finds it ended
				return "", false
			default:
			}
			if time.Now().After(deadline) {
				t.Errorf("microfn %s did not load within 90s:\n%s", key, logs.String())
				return "", false
			}
			time.Sleep(20 * time.Millisecond)
		}
		servers[key] = "http://" + addr
		return servers[key], true
	}

	calls := 0
	for _, b := range d.blocks {
		if b.lang != "console" {
			continue
		}
		base := ""
		for i := 0; i < len(b.lines); i++ {
			cmd, ok := strings.CutPrefix(b.lines[i], "$ ")
			if !ok {
				continue
			}
			where := fmt.Sprintf("README.md:%d", b.line+i)
			words := shellWords(cmd)
			if args, ok := microfnArgs(words); ok && len(args) >= 2 && args[0] == "serve" {
				if base, ok = serve(args); !ok {
					break
				}
				continue
			}
			if base == "" || len(words) == 0 || words[0] != "curl" {
				continue
			}
			var want []string
			for j := i + 1; j < len(b.lines) && !strings.HasPrefix(b.lines[j], "$ "); j++ {
				want = append(want, b.lines[j])
			}
			if strings.ContainsAny(cmd, "|><") {
				t.Errorf("%s: %q: the test makes a curl call alone, without pipes or redirections", where, cmd)
				continue
			}
			got, err := curl(words[1:], base)
			if err != nil {
				t.Errorf("%s: %q: %v", where, cmd, err)
				continue
			}
			calls++
			if w := strings.Join(want, "\n"); strings.TrimRight(got, "\n") != w {
				t.Errorf("%s: %q answered\n%s\nthe README shows\n%s", where, cmd, got, w)
			}
		}
	}
	if calls < 3 {
		t.Errorf("made %d of the README's curl calls: its tour was not found", calls)
	}
}

// curl makes the HTTP call of curl's arguments args (the options -s, -g,
// -X, -H and -d), against base in place of localhost:8000, and returns
// the body of the answer.
func curl(args []string, base string) (string, error) {
	method, url := "", ""
	var body io.Reader
	header := http.Header{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch a {
		case "-s", "-g", "--silent", "--globoff":
			continue
		case "-X", "-H", "-d", "--data":
			if i+1 >= len(args) {
				return "", fmt.Errorf("%s needs a value", a)
			}
			i++
			switch a {
			case "-X":
				method = args[i]
			case "-H":
				k, v, ok := strings.Cut(args[i], ":")
				if !ok {
					return "", fmt.Errorf("-H %q is not a header", args[i])
				}
				header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
			default:
				body = strings.NewReader(args[i])
				if method == "" {
					method = http.MethodPost
				}
				if header.Get("Content-Type") == "" {
					// curl's default for -d, unless -H says otherwise.
					header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
			}
			continue
		}
		if strings.HasPrefix(a, "-") {
			return "", fmt.Errorf("the test does not know curl's option %s", a)
		}
		if url != "" {
			return "", fmt.Errorf("two URLs: %s and %s", url, a)
		}
		rest, ok := strings.CutPrefix(strings.TrimPrefix(a, "http://"), "localhost:8000")
		if !ok {
			return "", fmt.Errorf("URL %s is not on localhost:8000, where the README's server listens", a)
		}
		url = base + rest
	}
	if url == "" {
		return "", fmt.Errorf("no URL")
	}
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		return "", err
	}
	req.Header = header
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
