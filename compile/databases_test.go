package compile

import "testing"

func TestDeclaresDatabase(t *testing.T) {
	for _, c := range []struct {
		name, src string
		want      bool
	}{
		{"no microfn", "package p\n\nfunc Database() {}\n\nvar x = Database\n", false},
		{"microfn without a database", "package p\n\nimport \"github.com/microfn/microfn\"\n\nfunc F() error { return microfn.ErrNoKey }\n", false},
		{"Database", "package p\n\nimport \"github.com/microfn/microfn\"\n\nvar db = microfn.Database(\"orders\")\n", true},
		{"KV, renamed", "package p\n\nimport m \"github.com/microfn/microfn\"\n\nfunc f() { _ = m.KV(\"carts\") }\n", true},
		{"another package's Database", "package p\n\nimport (\n\t\"github.com/microfn/microfn\"\n\tother \"example.com/db\"\n)\n\nvar db = other.Database(\"x\")\nvar _ = microfn.ErrNoKey\n", false},
		{"a subpackage of microfn", "package p\n\nimport microfn \"github.com/microfn/microfn/svcrt\"\n\nvar db = microfn.Database\n", false},
		{"dot import", "package p\n\nimport . \"github.com/microfn/microfn\"\n\nvar db = Database(\"orders\")\n", true},
		{"does not parse", "package p\n\nimport \"github.com/microfn/microfn\"\n\nvar db = (\n", true},
	} {
		if got := declaresDatabase([]byte(c.src)); got != c.want {
			t.Errorf("%s: declaresDatabase = %v, want %v", c.name, got, c.want)
		}
	}
}
