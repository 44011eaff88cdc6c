package policy_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/policy"
)

func TestDefault(t *testing.T) {
	p := policy.Default()
	want := policy.Policy{
		Attempts: 3,
		Backoff:  "exponential",
		Base:     10 * time.Millisecond,
		Cap:      time.Second,
		Jitter:   10,
		Budget:   0,
		Timeout:  30 * time.Second,
		Scale:    1,
		Queue:    100,
	}
	if p != want {
		t.Errorf("Default() = %+v, want %+v", p, want)
	}
	if err := p.Validate(); err != nil {
		t.Errorf("Default().Validate() = %v", err)
	}
	if got, want := p.String(), "retry=3 backoff=exponential base=10ms cap=1s jitter=10% timeout=30s scale=1 queue=100"; got != want {
		t.Errorf("Default().String() = %q, want %q", got, want)
	}
}

func TestKeys(t *testing.T) {
	want := []string{"retry", "backoff", "base", "cap", "jitter", "budget", "timeout", "scale", "queue"}
	got := policy.Keys()
	if !slices.Equal(got, want) {
		t.Fatalf("Keys() = %q, want %q", got, want)
	}
	got[0] = "changed"
	if policy.Keys()[0] != "retry" {
		t.Error("modifying the result of Keys changed the next result")
	}
	// Every key is understood by Set.
	for _, k := range want {
		p := policy.Default()
		if err := p.Set(k, "x"); err == nil || strings.HasPrefix(err.Error(), "unknown option") {
			t.Errorf("Set(%q, \"x\") = %v, want a value error", k, err)
		}
	}
}

func TestSet(t *testing.T) {
	tests := []struct {
		key, value string
		want       func(*policy.Policy) // applied to Default() to give the expected policy
		err        string               // substring of the error, "" for none
	}{
		{"retry", "1", func(p *policy.Policy) { p.Attempts = 1 }, ""},
		{"retry", "5", func(p *policy.Policy) { p.Attempts = 5 }, ""},
		{"retry", "0", nil, `retry: want a whole number >= 1, got "0"`},
		{"retry", "-1", nil, `retry: want a whole number >= 1, got "-1"`},
		{"retry", "x", nil, `retry: want a whole number >= 1, got "x"`},
		{"retry", "", nil, `retry: want a whole number >= 1, got ""`},
		{"retry", "2.5", nil, `retry: want a whole number >= 1, got "2.5"`},
		{"retry", "+2", nil, `retry: want a whole number >= 1, got "+2"`},

		{"backoff", "exponential", func(p *policy.Policy) { p.Backoff = "exponential" }, ""},
		{"backoff", "fibonacci", func(p *policy.Policy) { p.Backoff = "fibonacci" }, ""},
		{"backoff", "constant", func(p *policy.Policy) { p.Backoff = "constant" }, ""},
		{"backoff", "linear", nil, `backoff: want exponential, fibonacci or constant, got "linear"`},
		{"backoff", "Constant", nil, `backoff: want exponential, fibonacci or constant, got "Constant"`},

		{"base", "20ms", func(p *policy.Policy) { p.Base = 20 * time.Millisecond }, ""},
		{"base", "1.5s", func(p *policy.Policy) { p.Base = 1500 * time.Millisecond }, ""},
		{"base", "0", nil, `base: want a duration > 0 such as 10ms, got "0"`},
		{"base", "-1s", nil, `base: want a duration > 0 such as 10ms, got "-1s"`},
		{"base", "10", nil, `base: want a duration > 0 such as 10ms, got "10"`},

		{"cap", "5s", func(p *policy.Policy) { p.Cap = 5 * time.Second }, ""},
		{"cap", "0s", nil, `cap: want a duration > 0 such as 10ms, got "0s"`},
		{"cap", "soon", nil, `cap: want a duration > 0 such as 10ms, got "soon"`},

		{"jitter", "0", func(p *policy.Policy) { p.Jitter = 0 }, ""},
		{"jitter", "25%", func(p *policy.Policy) { p.Jitter = 25 }, ""},
		{"jitter", "100", func(p *policy.Policy) { p.Jitter = 100 }, ""},
		{"jitter", "101%", nil, `jitter: want a percentage from 0 to 100 such as 10%, got "101%"`},
		{"jitter", "-1", nil, `jitter: want a percentage from 0 to 100 such as 10%, got "-1"`},
		{"jitter", "%", nil, `jitter: want a percentage from 0 to 100 such as 10%, got "%"`},
		{"jitter", "5%%", nil, `jitter: want a percentage from 0 to 100 such as 10%, got "5%%"`},
		{"jitter", "0.5", nil, `jitter: want a percentage from 0 to 100 such as 10%, got "0.5"`},

		{"budget", "5s", func(p *policy.Policy) { p.Budget = 5 * time.Second }, ""},
		{"budget", "0", func(p *policy.Policy) { p.Budget = 0 }, ""},
		{"budget", "-5s", nil, `budget: want a duration >= 0 such as 5s (0: none), got "-5s"`},
		{"budget", "x", nil, `budget: want a duration >= 0 such as 5s (0: none), got "x"`},

		{"timeout", "2s", func(p *policy.Policy) { p.Timeout = 2 * time.Second }, ""},
		{"timeout", "1m30s", func(p *policy.Policy) { p.Timeout = 90 * time.Second }, ""},
		{"timeout", "0", nil, `timeout: want a duration > 0 such as 10ms, got "0"`},
		{"timeout", "2 s", nil, `timeout: want a duration > 0 such as 10ms, got "2 s"`},

		{"scale", "1", func(p *policy.Policy) { p.Scale = 1 }, ""},
		{"scale", "8", func(p *policy.Policy) { p.Scale = 8 }, ""},
		{"scale", "0", nil, `scale: want a whole number >= 1, got "0"`},
		{"scale", "two", nil, `scale: want a whole number >= 1, got "two"`},

		{"queue", "0", func(p *policy.Policy) { p.Queue = 0 }, ""},
		{"queue", "1000", func(p *policy.Policy) { p.Queue = 1000 }, ""},
		{"queue", "-1", nil, `queue: want a whole number >= 0, got "-1"`},
		{"queue", "many", nil, `queue: want a whole number >= 0, got "many"`},

		{"retries", "3", nil, `unknown option "retries" (known: retry, backoff, base, cap, jitter, budget, timeout, scale, queue)`},
		{"Retry", "3", nil, `unknown option "Retry"`},
		{"", "3", nil, `unknown option ""`},
		{"name", "Fib", nil, `unknown option "name"`},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			p := policy.Default()
			err := p.Set(tt.key, tt.value)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Set(%q, %q) = %v, want error containing %q", tt.key, tt.value, err, tt.err)
				}
				if p != policy.Default() {
					t.Errorf("failed Set changed the policy to %+v", p)
				}
				return
			}
			if err != nil {
				t.Fatalf("Set(%q, %q) = %v", tt.key, tt.value, err)
			}
			want := policy.Default()
			tt.want(&want)
			if p != want {
				t.Errorf("after Set(%q, %q): %+v, want %+v", tt.key, tt.value, p, want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*policy.Policy)
		errs   []string // substrings the error must hold, nil for none
	}{
		{"default", func(*policy.Policy) {}, nil},
		{"cap equals base", func(p *policy.Policy) { p.Base, p.Cap = time.Second, time.Second }, nil},
		{"cap below base", func(p *policy.Policy) { p.Base, p.Cap = time.Second, 500*time.Millisecond },
			[]string{"cap: want a duration >= base (1s), got 500ms"}},
		{"zero attempts", func(p *policy.Policy) { p.Attempts = 0 }, []string{"retry: want a whole number >= 1, got 0"}},
		{"bad backoff", func(p *policy.Policy) { p.Backoff = "" }, []string{`backoff: want exponential, fibonacci or constant, got ""`}},
		{"zero base", func(p *policy.Policy) { p.Base = 0 }, []string{"base: want a duration > 0, got 0s"}},
		{"zero cap", func(p *policy.Policy) { p.Cap = 0 }, []string{"cap: want a duration > 0, got 0s"}},
		{"jitter over 100", func(p *policy.Policy) { p.Jitter = 150 }, []string{"jitter: want a percentage from 0 to 100, got 150%"}},
		{"negative budget", func(p *policy.Policy) { p.Budget = -time.Second }, []string{"budget: want a duration >= 0, got -1s"}},
		{"zero timeout", func(p *policy.Policy) { p.Timeout = 0 }, []string{"timeout: want a duration > 0, got 0s"}},
		{"zero scale", func(p *policy.Policy) { p.Scale = 0 }, []string{"scale: want a whole number >= 1, got 0"}},
		{"negative queue", func(p *policy.Policy) { p.Queue = -1 }, []string{"queue: want a whole number >= 0, got -1"}},
		{"zero value", func(p *policy.Policy) { *p = policy.Policy{} }, []string{"retry:", "backoff:", "base:", "cap:", "timeout:", "scale:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := policy.Default()
			tt.change(&p)
			err := p.Validate()
			if tt.errs == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want errors %q", tt.errs)
			}
			for _, s := range tt.errs {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("Validate() = %v, want it to contain %q", err, s)
				}
			}
		})
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		opts string // options applied to Default()
		want string
	}{
		{"", "retry=3 backoff=exponential base=10ms cap=1s jitter=10% timeout=30s scale=1 queue=100"},
		{"retry=5 scale=2 timeout=2s", "retry=5 backoff=exponential base=10ms cap=1s jitter=10% timeout=2s scale=2 queue=100"},
		{"budget=5s", "retry=3 backoff=exponential base=10ms cap=1s jitter=10% budget=5s timeout=30s scale=1 queue=100"},
		{"budget=5s budget=0", "retry=3 backoff=exponential base=10ms cap=1s jitter=10% timeout=30s scale=1 queue=100"},
		{"backoff=fibonacci base=1.5ms cap=1m jitter=0% timeout=2h queue=0",
			"retry=3 backoff=fibonacci base=1.5ms cap=1m jitter=0% timeout=2h scale=1 queue=0"},
		{"cap=1h30m budget=1h0m5s timeout=90s",
			"retry=3 backoff=exponential base=10ms cap=1h30m jitter=10% budget=1h0m5s timeout=1m30s scale=1 queue=100"},
	}
	for _, tt := range tests {
		t.Run(tt.opts, func(t *testing.T) {
			p := apply(t, policy.Default(), tt.opts)
			got := p.String()
			if got != tt.want {
				t.Fatalf("String() = %q, want %q", got, tt.want)
			}
			// The rendering round-trips through Set.
			if back := apply(t, policy.Default(), got); back != p {
				t.Errorf("Set of %q gives %+v, want %+v", got, back, p)
			}
		})
	}
}

// apply sets each space-separated key=value option of opts on p.
func apply(t *testing.T, p policy.Policy, opts string) policy.Policy {
	t.Helper()
	for _, opt := range strings.Fields(opts) {
		k, v, _ := strings.Cut(opt, "=")
		if err := p.Set(k, v); err != nil {
			t.Fatalf("Set(%q, %q): %v", k, v, err)
		}
	}
	return p
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 10 * time.Millisecond: "10ms", time.Second: "1s", time.Minute: "1m",
		90 * time.Second: "1m30s", 2 * time.Hour: "2h", time.Hour + time.Second: "1h0m1s",
	} {
		if got := policy.FormatDuration(d); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}
