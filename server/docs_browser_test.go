package server_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/golang-jwt/jwt/v5"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// chromium finds a Chromium to drive, or skips the test; in CI (CI=true)
// a missing browser is a failure, since .ci/run installs it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium on PATH; .ci/run installs Debian's chromium package")
	}
	t.Skip("no chromium on PATH: install Debian's chromium package to run the /docs browser test")
	return ""
}

// browser returns a chromedp context for a headless Chromium.
func browser(t *testing.T) context.Context {
	t.Helper()
	// Not t.TempDir: Chromium's helper processes may still write to their
	// profile for a moment after the browser exits.
	profile, err := os.MkdirTemp("", "microfn-chromium")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 1600),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		cancelAlloc()
		for range 50 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	return ctx
}

// isEvenOp is IsEven's operation on the /docs page, under the tag of
// its package.
const isEvenOp = `#operations-seed-get_IsEven`

// tryIsEven opens IsEven's operation on the /docs page, tries it with x,
// and stores the body of the answer in response.
func tryIsEven(x string, response *string) chromedp.Tasks {
	const result = isEvenOp + ` .live-responses-table .response-col_description pre`
	return chromedp.Tasks{
		chromedp.Click(isEvenOp+` .opblock-summary`, chromedp.ByQuery),
		chromedp.WaitVisible(isEvenOp+` input[placeholder="x"]`, chromedp.ByQuery),
		chromedp.SendKeys(isEvenOp+` input[placeholder="x"]`, x, chromedp.ByQuery),
		chromedp.Click(isEvenOp+` .execute`, chromedp.ByQuery),
		chromedp.WaitVisible(result, chromedp.ByQuery),
		chromedp.Text(result, response, chromedp.ByQuery),
	}
}

func TestDocsInBrowser(t *testing.T) {
	in := microfntest.StartDir(t, "../examples/seed")
	ctx := browser(t)
	var summaries string
	err := chromedp.Run(ctx,
		chromedp.Navigate(in.URL+"/docs/"),
		chromedp.WaitVisible(isEvenOp, chromedp.ByQuery),
		chromedp.Text(`.swagger-ui`, &summaries, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("load /docs: %v", err)
	}
	for _, name := range []string{"/IsEven", "/IsOdd", "/Fib", "/Factorial", "/Area", "/Distance", "/BuggyFunction", "/SlowFunction"} {
		if !strings.Contains(summaries, name) {
			t.Errorf("/docs does not list %s", name)
		}
	}
	// The package is a tag, with its doc comment.
	var tag string
	if err := chromedp.Run(ctx, chromedp.Text(`.opblock-tag-section h3`, &tag, chromedp.ByQuery)); err != nil {
		t.Fatalf("no tag section on /docs: %v", err)
	}
	if !strings.Contains(tag, "seed") || !strings.Contains(tag, "starter example") {
		t.Errorf("the tag section reads %q, want the package seed and its doc comment", tag)
	}
	// Try IsEven(5) from the page ("Try it out" is on from the start).
	var response string
	if err := chromedp.Run(ctx, tryIsEven("5", &response)); err != nil {
		t.Fatalf("try IsEven from /docs: %v", err)
	}
	if strings.TrimSpace(response) != "false" {
		t.Errorf("IsEven(5) tried from /docs answered %q, want false", response)
	}
	if path := os.Getenv("MICROFN_DOCS_SCREENSHOT"); path != "" {
		var png []byte
		if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDocsWithTokenInBrowser: on a server that requires a token, /docs
// asks for it; once entered, the page loads the services and calls them
// with it.
func TestDocsWithTokenInBrowser(t *testing.T) {
	in := microfntest.StartDir(t, "../examples/seed", server.WithToken("s3cret"))
	ctx := browser(t)
	var response string
	err := chromedp.Run(ctx,
		chromedp.Navigate(in.URL+"/docs/"),
		chromedp.WaitVisible(`#microfn-token input[name="token"]`, chromedp.ByQuery),
		chromedp.SendKeys(`#microfn-token input[name="token"]`, "s3cret", chromedp.ByQuery),
		chromedp.Click(`#microfn-token button`, chromedp.ByQuery),
		chromedp.WaitVisible(isEvenOp, chromedp.ByQuery),
		tryIsEven("4", &response),
	)
	if err != nil {
		t.Fatalf("use /docs with a token: %v", err)
	}
	if strings.TrimSpace(response) != "true" {
		t.Errorf("IsEven(4) tried from /docs with the token answered %q, want true", response)
	}
	// The calls went out with the token: the server logged them as 200s.
	n := in.Logs().Count(func(r microfntest.Record) bool {
		return strings.Contains(r.Msg, "GET /IsEven?x=4") && r.Attrs["status"] == "200"
	})
	if n != 1 {
		t.Errorf("%d logged 200s of GET /IsEven?x=4, want 1", n)
	}
}

// TestDocsJWTInBrowser: /docs shows which operations need a JSON Web
// Token (a lock on each, an Authorize button); a token entered there is
// sent with the calls the page makes.
func TestDocsJWTInBrowser(t *testing.T) {
	k := newTestKey(t, "k")
	keys := filepath.Join(t.TempDir(), "keys.json")
	writeJWKS(t, keys, k)
	in := microfntest.Start(t, authSources(), server.WithAuth(server.AuthRule{Prefix: "/billing", Mode: "jwt", Keys: &server.JWTKeys{File: keys}}))
	tok := k.sign(t, jwt.MapClaims{"sub": "erin", "role": "viewer", "exp": time.Now().Add(time.Hour).Unix()})
	const whoami = `#operations-billing-get_billing_Whoami`
	const ping = `#operations-open-get_Ping`
	const result = whoami + ` .live-responses-table .response-col_description pre`
	ctx := browser(t)
	var locks, openLocks int
	var response string
	err := chromedp.Run(ctx,
		chromedp.Navigate(in.URL+"/docs/"),
		chromedp.WaitVisible(whoami, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("`+whoami+` .authorization__btn").length`, &locks),
		chromedp.Evaluate(`document.querySelectorAll("`+ping+` .authorization__btn").length`, &openLocks),
		chromedp.Click(`.auth-wrapper .authorize`, chromedp.ByQuery),
		chromedp.WaitVisible(`.auth-container input`, chromedp.ByQuery),
		chromedp.SendKeys(`.auth-container input`, tok, chromedp.ByQuery),
		chromedp.Click(`.auth-btn-wrapper .authorize`, chromedp.ByQuery),
		chromedp.Click(`.btn-done`, chromedp.ByQuery),
		chromedp.Click(whoami+` .opblock-summary`, chromedp.ByQuery),
		chromedp.WaitVisible(whoami+` .execute`, chromedp.ByQuery),
		chromedp.Click(whoami+` .execute`, chromedp.ByQuery),
		chromedp.WaitVisible(result, chromedp.ByQuery),
		chromedp.Text(result, &response, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("use /docs with a JWT: %v", err)
	}
	if locks != 1 || openLocks != 0 {
		t.Errorf("locks: %d on Whoami (needs a JWT), %d on Ping (open); want 1 and 0", locks, openLocks)
	}
	if !strings.Contains(response, "erin role=viewer") {
		t.Errorf("Whoami tried from /docs with the JWT answered %q", response)
	}
}
