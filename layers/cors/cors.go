// Package cors is a layer that lets browsers call HTTP functions from
// other origins, by the Fetch standard's CORS protocol: it answers
// preflight requests (OPTIONS with Origin and
// Access-Control-Request-Method) itself, with 204 and the
// Access-Control-Allow-* headers when the origin, method and headers are
// allowed, and adds Access-Control-Allow-Origin (and -Credentials,
// -Expose-Headers) to the responses of allowed origins, errors included.
// Invocations of other triggers, and requests without an Origin, pass
// through untouched.
//
// Use it as a global layer (App.Use): the App's global layers run around
// every invocation, routed or not, so the layer answers a preflight for a
// path that functions serve with other methods only (or with none) before
// the App's 405 or 404. As a function's own layer (faas.WithLayers, or
// f.yml's layers), it answers the preflights of that function: in a unit
// of that one function, which takes every request, and in an App of
// several, which routes a preflight for a path to the function that
// serves the method it asks about (Access-Control-Request-Method) when
// that function has a layer that answers preflights. A preflight is
// answered with the methods served on its path by the functions whose
// chain includes such a layer ([faas.Context.AllowedMethods]): all of
// them for a global layer, and for a function's own, those of the
// functions with one of their own, so that a browser is not told that a
// method is allowed whose response would carry no CORS headers.
//
// The layer says that it answers preflights
// (faas.Layer.AnswersPreflights), and that, not its name, is how the App
// and anyfaas know it: renamed with [WithName], or copied into a layer of
// your own that keeps the field, it is recognised all the same, and a
// CORS layer of your own that sets the field is too.
//
// A preflight must also reach the App. anyfaas dev sends one for a routed
// path to the unit that serves it. The generated deploy specs route OPTIONS
// on a function's HTTP paths to its unit when its App answers preflights
// for it (see spec.Spec.AnswersPreflights): an OPTIONS route on AWS,
// OPTIONS in the FC 3.0 HTTP trigger and custom domain, an ANY endpoint on
// SCF (whose endpoints take no OPTIONS). FC 2.0 (funcraft's template.yml)
// takes no OPTIONS, which is an error there. Cloud Run and Knative pass
// every method. An event with cors: true has API Gateway (AWS, SCF) answer
// preflights itself instead, with its own settings; leave it out to have
// this layer's apply. FC has no such setting: there this layer answers
// them either way. A binary built with a faas from before
// faas.Layer.AnswersPreflights describes its layers by name alone: anyfaas
// then takes a layer named cors ([Name]) for this one, and routes the
// preflights of a function's own only in a unit of that function alone.
package cors

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/route"
)

// Name is the layer's name unless [WithName] gives another.
const Name = "cors"

// The defaults: the methods and request headers allowed unless
// [AllowMethods] and [AllowHeaders] say otherwise.
var (
	DefaultMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}
	DefaultHeaders = []string{"Accept", "Accept-Language", "Authorization", "Content-Language", "Content-Type", "X-Requested-With"}
)

// An Option configures the layer.
type Option func(*config)

type config struct {
	name        string
	origins     []string // lower case; "*" any; "https://*.example.com" a subdomain
	originFunc  func(string) bool
	methods     []string
	headers     []string // canonical
	anyHeader   bool
	expose      []string
	credentials bool
	maxAge      time.Duration
}

// WithName names the layer.
func WithName(name string) Option { return func(c *config) { c.name = name } }

// AllowOrigins sets the origins allowed, each a scheme, host and optional
// port such as "https://app.example.com", "*" for any, or with one "*"
// for a subdomain, as "https://*.example.com". The default is any.
func AllowOrigins(origins ...string) Option {
	return func(c *config) {
		c.origins = nil
		for _, o := range origins {
			c.origins = append(c.origins, strings.ToLower(strings.TrimSuffix(o, "/")))
		}
	}
}

// AllowOriginFunc allows, besides AllowOrigins', the origins f accepts.
func AllowOriginFunc(f func(origin string) bool) Option {
	return func(c *config) { c.originFunc = f }
}

// AllowMethods sets the methods a preflight may ask for; the default is
// [DefaultMethods]. A preflight is answered with those of them that the
// App's routes serve on its path ([faas.Context.AllowedMethods]: as a
// function's own layer, the routes of the functions with such a layer):
// POST alone for a path routed as POST /items. Where a route serves every
// method, or the App knows no route of the path, it is answered with all
// of them.
func AllowMethods(methods ...string) Option {
	return func(c *config) {
		c.methods = nil
		for _, m := range methods {
			c.methods = append(c.methods, strings.ToUpper(m))
		}
	}
}

// AllowHeaders sets the request headers a preflight may ask for; "*"
// allows any. The default is [DefaultHeaders].
func AllowHeaders(headers ...string) Option {
	return func(c *config) {
		c.headers, c.anyHeader = nil, false
		for _, h := range headers {
			if h == "*" {
				c.anyHeader = true
				continue
			}
			c.headers = append(c.headers, http.CanonicalHeaderKey(h))
		}
	}
}

// ExposeHeaders names the response headers, beyond the CORS-safelisted
// ones, that the browser lets the calling script read.
func ExposeHeaders(headers ...string) Option {
	return func(c *config) { c.expose = headers }
}

// AllowCredentials lets requests carry cookies and HTTP authentication.
// The response then names the request's origin, never "*", as the
// standard requires.
func AllowCredentials() Option { return func(c *config) { c.credentials = true } }

// MaxAge sets how long a browser may cache a preflight's answer
// (Access-Control-Max-Age, in whole seconds); zero, the default, leaves it
// to the browser.
func MaxAge(d time.Duration) Option { return func(c *config) { c.maxAge = d } }

// New returns the CORS layer. See the package documentation.
func New(opts ...Option) faas.Layer {
	cfg := config{name: Name, origins: []string{"*"}, methods: DefaultMethods}
	AllowHeaders(DefaultHeaders...)(&cfg)
	for _, o := range opts {
		o(&cfg)
	}
	return faas.Layer{Name: cfg.name, AnswersPreflights: true, Middleware: func(next faas.Handler) faas.Handler {
		return faas.HandlerFunc(func(ctx *faas.Context, event any) (any, error) {
			req := ctx.Request()
			if req == nil {
				return next.Invoke(ctx, event)
			}
			origin := req.Header.Get("Origin")
			if req.Method == http.MethodOptions && origin != "" && req.Header.Get("Access-Control-Request-Method") != "" {
				return cfg.preflight(req, origin, ctx.AllowedMethods()), nil
			}
			if origin != "" {
				cfg.annotate(ctx, origin)
			}
			return next.Invoke(ctx, event)
		})
	}}
}

// anyOrigin reports whether every origin is allowed.
func (c *config) anyOrigin() bool { return slices.Contains(c.origins, "*") }

// allowed reports whether origin may call.
func (c *config) allowed(origin string) bool {
	o := strings.ToLower(origin)
	for _, a := range c.origins {
		if a == "*" || a == o {
			return true
		}
		if prefix, suffix, ok := strings.Cut(a, "*"); ok &&
			len(o) > len(prefix)+len(suffix) && strings.HasPrefix(o, prefix) && strings.HasSuffix(o, suffix) &&
			!strings.ContainsAny(o[len(prefix):len(o)-len(suffix)], "/:@") {
			return true
		}
	}
	return c.originFunc != nil && c.originFunc(origin)
}

// allowOrigin returns the Access-Control-Allow-Origin value for origin.
func (c *config) allowOrigin(origin string) string {
	if c.anyOrigin() && !c.credentials {
		return "*"
	}
	return origin
}

// vary reports whether the answer depends on the request's Origin.
func (c *config) vary() bool { return !c.anyOrigin() || c.credentials || c.originFunc != nil }

// preflight answers a preflight request for a path whose routes serve
// the methods served (faas.Context.AllowedMethods): of the allowed
// methods, those it serves, or all of them when a route serves every
// method or none is known.
func (c *config) preflight(req *faas.HTTPRequest, origin string, served []string) *faas.HTTPResponse {
	h := http.Header{}
	if c.vary() {
		h.Add("Vary", "Origin")
	}
	h.Add("Vary", "Access-Control-Request-Method")
	h.Add("Vary", "Access-Control-Request-Headers")
	resp := &faas.HTTPResponse{StatusCode: http.StatusNoContent, Header: h}
	methods := c.methods
	if len(served) > 0 && !slices.Contains(served, route.Any) {
		methods = slices.DeleteFunc(slices.Clone(c.methods), func(m string) bool { return !slices.Contains(served, m) })
	}
	method := strings.ToUpper(req.Header.Get("Access-Control-Request-Method"))
	if !c.allowed(origin) || !slices.Contains(methods, method) {
		return resp
	}
	var asked []string
	for _, v := range req.Header.Values("Access-Control-Request-Headers") {
		for f := range strings.SplitSeq(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				asked = append(asked, http.CanonicalHeaderKey(f))
			}
		}
	}
	if !c.anyHeader {
		for _, a := range asked {
			if !slices.Contains(c.headers, a) {
				return resp
			}
		}
	}
	h.Set("Access-Control-Allow-Origin", c.allowOrigin(origin))
	h.Set("Access-Control-Allow-Methods", strings.Join(methods, ", "))
	if len(asked) > 0 {
		// The headers asked for, all allowed: "*" would not cover
		// Authorization, nor anything with credentials.
		h.Set("Access-Control-Allow-Headers", strings.Join(asked, ", "))
	}
	if c.credentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if s := int(c.maxAge / time.Second); s > 0 {
		h.Set("Access-Control-Max-Age", strconv.Itoa(s))
	}
	return resp
}

// annotate adds the CORS headers of an allowed origin's request to the
// invocation's response, whatever it turns out to be.
func (c *config) annotate(ctx *faas.Context, origin string) {
	if c.vary() {
		ctx.AddHeader("Vary", "Origin")
	}
	if !c.allowed(origin) {
		return
	}
	ctx.SetHeader("Access-Control-Allow-Origin", c.allowOrigin(origin))
	if c.credentials {
		ctx.SetHeader("Access-Control-Allow-Credentials", "true")
	}
	if len(c.expose) > 0 {
		ctx.SetHeader("Access-Control-Expose-Headers", strings.Join(c.expose, ", "))
	}
}
