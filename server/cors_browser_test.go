package server_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// corsPage is a web page that calls IsEven on base from a browser, with a
// header of its own (so the browser sends a preflight), and writes what
// it got into the page.
const corsPage = `<!doctype html><html><body><pre id="out">waiting</pre><script>
fetch("%s/IsEven?x=4", {headers: {"X-Tenant": "t1"}})
  .then(r => r.text().then(t => document.getElementById("out").textContent = r.status + " " + t.trim() + " attempts=" + r.headers.get("Microfn-Attempts")))
  .catch(e => document.getElementById("out").textContent = "blocked: " + e.name);
</script></body></html>`

// TestCORSInABrowser: a page of an allowed origin calls a service from a
// real browser (preflight included) and reads its answer and microfn's
// headers; a page of another origin is blocked by the browser.
func TestCORSInABrowser(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	var allowed, other *httptest.Server
	page := func(w http.ResponseWriter, r *http.Request) { fmt.Fprintf(w, corsPage, r.URL.Query().Get("base")) }
	allowed = httptest.NewServer(http.HandlerFunc(page))
	defer allowed.Close()
	other = httptest.NewServer(http.HandlerFunc(page))
	defer other.Close()
	// The server that allows the first page's origin.
	in := microfntest.StartDir(t, "../examples/seed", server.WithQuiet(true), server.WithCORS([]string{allowed.URL}, false))
	for _, c := range []struct {
		page, want string
	}{
		{allowed.URL, "200 true attempts=1"},
		{other.URL, "blocked: TypeError"},
	} {
		var got string
		err := chromedp.Run(ctx,
			chromedp.Navigate(c.page+"/?base="+in.URL),
			chromedp.Poll(`document.getElementById("out").textContent !== "waiting"`, nil),
			chromedp.Text("#out", &got, chromedp.ByID),
		)
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(got) != c.want {
			t.Errorf("page of %s: %q, want %q", c.page, got, c.want)
		}
	}
	// The preflight, as the browser sent it.
	req, _ := http.NewRequest(http.MethodOptions, in.URL+"/IsEven", nil)
	req.Header.Set("Origin", allowed.URL)
	req.Header.Set("Access-Control-Request-Method", "GET")
	req.Header.Set("Access-Control-Request-Headers", "x-tenant")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != allowed.URL || !strings.Contains(strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers")), "x-tenant") {
		t.Errorf("preflight = %d %v", resp.StatusCode, resp.Header)
	}
}
