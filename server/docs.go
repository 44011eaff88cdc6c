package server

import (
	"encoding/json"
	"fmt"
	"html/template"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/swaggest/swgui"
	"github.com/swaggest/swgui/v5emb"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/server/openapi"
)

// OpenAPI returns the OpenAPI document of the services this server serves
// now, as JSON. It is built once per generation.
func (s *Server) OpenAPI() ([]byte, error) {
	g := s.packages.generation()
	g.openapi.once.Do(func() {
		g.openapi.body, g.openapi.err = buildOpenAPI(g, s.root, s.state.kinds())
	})
	return g.openapi.body, g.openapi.err
}

// packageDoc describes the package of version v of the folder root for
// the document: its tag, doc comment and examples.
func packageDoc(root string, v *version) *openapi.Package {
	descs := make([]*funcs.Descriptor, len(v.endpoints))
	for i, e := range v.endpoints {
		descs[i] = e.desc
	}
	tag := v.rel
	if tag == "." {
		tag = "" // the package's name
	}
	files := v.files
	if len(files) == 0 {
		// A version loaded in this process keeps no copy of its files:
		// those of its services say what it needs.
		seen := map[string]bool{}
		for _, d := range descs {
			if d.File != nil && !seen[d.File.Name] {
				seen[d.File.Name] = true
				files = append(files, funcs.SourceFile{Name: d.File.Name, Src: d.File.Src})
			}
		}
	}
	return openapi.ReadPackage(tag, filepath.Join(root, filepath.FromSlash(v.rel)), files, descs)
}

// buildOpenAPI builds the OpenAPI document of generation g, served from
// the folder root, whose databases are of the kinds kinds says.
func buildOpenAPI(g *generation, root string, kinds map[string]string) ([]byte, error) {
	services := make([]openapi.Service, 0, len(g.routes))
	pkgs := map[*version]*openapi.Package{}
	for route, e := range g.routes {
		pkg, ok := pkgs[e.version]
		if !ok {
			pkg = packageDoc(root, e.version)
			pkgs[e.version] = pkg
		}
		services = append(services, openapi.Service{Route: strings.TrimPrefix(route, "/"), Desc: e.desc, Policy: e.policy, Auth: e.auth.mode, Package: pkg, Databases: e.version.databases})
	}
	sort.Slice(services, func(i, j int) bool { return services[i].Route < services[j].Route })
	doc, err := openapi.Build(openapi.Info{Title: "microfn services", Version: versionString(), DatabaseKinds: kinds}, services)
	if err != nil {
		return nil, fmt.Errorf("build the OpenAPI document: %w", err)
	}
	body, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode the OpenAPI document: %w", err)
	}
	return append(body, '\n'), nil
}

// openapiJSON serves /openapi.json.
func (s *Server) openapiJSON(c *fiber.Ctx) error {
	body, err := s.OpenAPI()
	if err != nil {
		return writeProblem(c, err)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(body)
}

// docsHandler serves the interactive documentation at /docs: Swagger UI,
// embedded in the binary (no CDN), reading /openapi.json. When the server
// requires a token, the page asks for it, keeps it in the browser's local
// storage and sends it with every request it makes.
func docsHandler(tokenRequired bool) fiber.Handler {
	cfg := swgui.Config{
		Title:       "microfn services",
		SwaggerJSON: "/openapi.json",
		BasePath:    "/docs/",
		SettingsUI: map[string]string{
			"tryItOutEnabled":    "true",
			"showExtensions":     "true",
			"requestInterceptor": `function(req) { var t = window.localStorage.getItem("microfn-token"); if (t && !req.headers["Authorization"]) { req.headers["Authorization"] = "Bearer " + t; } return req; }`,
		},
	}
	if tokenRequired {
		cfg.PrependHTML = template.HTML(`<form id="microfn-token" style="font-family:sans-serif;padding:8px 20px;background:#fafafa;border-bottom:1px solid #ddd"
  onsubmit="window.localStorage.setItem('microfn-token', this.token.value); window.location.reload(); return false;">
  This server requires a token: <input name="token" type="password" placeholder="token" autocomplete="off">
  <button type="submit">Use token</button>
</form>`)
	}
	return adaptor.HTTPHandler(v5emb.NewHandlerWithConfig(cfg))
}

// versionString is the version shown in the OpenAPI document.
func versionString() string { return "1.0.0" }
