// Package devserver is the engine of `anyfaas dev`: it builds the project
// for this machine, runs each deployment unit under its platform's
// emulator as the platform would, serves every HTTP function by its routes
// on one local address, fires timers on their schedules, takes other
// events on POST /_anyfaas/invoke/{function}, and rebuilds when a source
// file changes, keeping the last good build serving while a broken one is
// fixed.
//
// A request is routed by its method and path, and one whose path is
// routed for other methods only is answered 405, with Allow, by the
// server itself; except a CORS preflight (OPTIONS with an Origin and an
// Access-Control-Request-Method), which goes to the unit that serves the
// method it asks about on the path (or else another method there), so
// that its App answers it, as the gateways anyfaas generates for do when
// the App uses the cors layer: 204 from a cors layer, or the App's own
// 405 if no layer takes it. A plain OPTIONS keeps the server's 405.
//
// On the web platform, the process of the unit with the most routes takes
// the requests on the server's address itself: the server hands it its
// listening socket (package internal/frontdoor), so that a request costs
// no proxy hop, and serves again the requests that process passes back
// (other units' routes, no route, /_anyfaas/) and those that come while no
// process holds the socket. Config.Proxy turns this off.
package devserver

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/artifact"
	"github.com/anyfaas/faas/emulator"
	"github.com/anyfaas/faas/internal/frontdoor"
	"github.com/anyfaas/faas/internal/project"
	"github.com/anyfaas/faas/route"
	"github.com/anyfaas/faas/spec"
)

// Config says what to serve and how.
type Config struct {
	// Dir is the project's directory.
	Dir string
	// SpecFile is the spec file, relative to Dir or absolute; "" finds it.
	SpecFile string
	// Platform is the platform whose adapter and emulator the units run
	// under; "" is web, and the server then says, as it starts, which
	// platform the spec's provider.name names, if another.
	Platform string
	// Addr is the address to serve on; "" is 127.0.0.1:3000.
	Addr string
	// AllowedHosts are host names, besides the loopback ones and Addr's,
	// whose requests the server takes, on any port: a tunnel's (an ngrok
	// or cloudflared name forwarding webhooks to the server). The
	// server's own endpoints under /_anyfaas/ still take requests from
	// its own origin alone.
	AllowedHosts []string
	// Log receives progress lines and the functions' output.
	Log io.Writer
	// Poll is how often the source tree is checked for changes; 0 means
	// 300 ms, a negative value not at all.
	Poll time.Duration
	// Emulator makes the emulator of unit u of s, whose functions f
	// runs, on the platform; NewEmulator does.
	Emulator func(platform string, f emulator.Function, s *spec.Spec, u *spec.Unit) (emulator.Emulator, error)
	// Event makes a native event of the platform for a trigger, with the
	// catalog's overrides; declared is the function's event of that
	// trigger in the merged spec, nil if it has none, for the event to
	// carry what it says (a bucket, a queue), and project the spec's
	// provider.project, for the event to name it where it names a Google
	// Cloud project. The dev server uses it for timers and for POST
	// /_anyfaas/invoke/{function}?trigger=….
	Event func(platform, trigger string, declared *spec.Event, project string, overrides map[string]string) ([]byte, error)
	// Verbose runs the units with FAAS_VERBOSE=1, so that each logs how
	// long every layer's RuntimeStart and FunctionStart, and every
	// function constructor, took when it starts.
	Verbose bool
	// Proxy passes every request through the units' emulators.
	// Otherwise, on the web platform, the process of the unit with the
	// most HTTP routes, if it takes any number of requests at once (its
	// concurrency is 0, Knative's default), takes the requests on the
	// server's address itself, with no proxy hop: the server hands it its
	// listening socket (package internal/frontdoor). The process passes
	// the requests that are not for its own routes back to the server,
	// which serves them as it serves those it accepts; it accepts again
	// while no process holds the socket.
	Proxy bool

	// watchEvents, set by tests, is told what the watcher does: "listed"
	// when it takes a build's inputs, "idle" after a poll that finds no
	// change and none pending.
	watchEvents func(string)
}

// AddrInUseError is an address that something else is listening on.
type AddrInUseError struct{ Addr string }

func (e *AddrInUseError) Error() string {
	return e.Addr + " is in use: choose another port with --port"
}

// Server is a running dev server.
type Server struct {
	cfg     Config
	ln      net.Listener // the door's gated listener
	door    *frontdoor.Door
	control net.Listener // the door's control socket, nil if noDoor
	noDoor  error        // why the server cannot hand its address over
	srv     *http.Server // serves ln
	cache   string       // where builds and manifests go
	// defaulted is whether Config.Platform was "", web by default.
	defaulted bool

	buildMu sync.Mutex // one build at a time, so that the newest wins

	mu       sync.Mutex
	gen      *generation // nil until the first good build
	buildErr error       // the last build's failure, nil after a good one
	builds   int
	// buildOpts is how the last build ran the go command, and buildBegan
	// when, for the watcher to ask what it read.
	buildOpts  artifact.BuildOptions
	buildBegan time.Time
	closed     bool
	retiring   sync.WaitGroup // replaced generations still closing
	// announced is closed once the last good build is announced: the
	// announcement of a rebuild waits for the old build's units to stop
	// (announce), and later lines wait for it.
	announced chan struct{}
}

// stopWait bounds how long the announcement of a rebuild waits for the
// old build's units to stop, so that their last lines come before it: a
// request still in flight or a slow Close hook makes them take longer,
// and the announcement then says they are still stopping.
const stopWait = time.Second

// errBuilding answers a request that comes before the first build is
// done.
var errBuilding = errors.New("building: try again in a moment")

// errClosed is the answer of a server that is shutting down.
var errClosed = errors.New("the dev server is shutting down")

// stageError is a failure of a stage of a build other than compiling,
// which what names: the spec, the spec against the code, starting the
// units.
type stageError struct {
	what string
	err  error
}

func (e *stageError) Error() string { return e.err.Error() }
func (e *stageError) Unwrap() error { return e.err }

// failed names the stage of a build that err, its failure, stopped.
func failed(err error) string {
	var se *stageError
	if errors.As(err, &se) {
		return se.what
	}
	return "build failed"
}

// specError is the failure of the spec to load (match is false), or to
// match the code (match is true), named so, after the spec's file: a spec
// error is no build's. Problems with the code alone, which name no place
// in the spec (a constructor's parameter that nothing provides), are
// named the code's.
func specError(match bool, err error) error {
	var es spec.Errors
	problems := errors.As(err, &es)
	name := "the spec"
	if i := slices.IndexFunc(es, func(e *spec.Error) bool { return e.File != "" }); i >= 0 {
		name = filepath.Base(es[i].File)
	} else if match && problems {
		return &stageError{"the code would not start", err}
	}
	switch {
	case match:
		return &stageError{name + " does not match the code", err}
	case problems:
		return &stageError{name + " is invalid", err}
	}
	return &stageError{"reading " + name + " failed", err}
}

// generation is one good build and the units running it.
type generation struct {
	n          int
	binary     string
	dir        string // its manifests
	spec       *spec.Spec
	units      []*unitRun
	door       *spec.Unit       // the unit whose process takes the requests, or nil
	entry      *frontdoor.Entry // through which it takes them
	owners     []routeOwner
	byFunction map[string]*unitRun
	routes     *route.Table[*unitRun]
	routeList  []string
	stopTimers context.CancelFunc
	timers     sync.WaitGroup // the goroutines firing them

	// inflight counts the requests using the generation; one is added
	// only while the generation is the server's current one, so once it
	// is replaced the count only falls.
	inflight sync.WaitGroup
}

// routeOwner is a route and the unit that serves it.
type routeOwner struct {
	pattern string
	run     *unitRun
}

// unitRun is a unit and its emulator.
type unitRun struct {
	unit *spec.Unit
	emu  emulator.Emulator
}

// New checks cfg and listens on its address.
func New(cfg Config) (*Server, error) {
	defaulted := cfg.Platform == ""
	cfg.Platform = cmp.Or(cfg.Platform, faas.PlatformWeb)
	if !slices.Contains(faas.Platforms, cfg.Platform) {
		return nil, fmt.Errorf("platform %q is not one of %s", cfg.Platform, strings.Join(faas.Platforms, ", "))
	}
	cfg.Addr = cmp.Or(cfg.Addr, "127.0.0.1:3000")
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.Poll == 0 {
		cfg.Poll = 300 * time.Millisecond
	}
	if cfg.Emulator == nil || cfg.Event == nil {
		return nil, errors.New("devserver: Config.Emulator and Config.Event are required")
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		if addrInUse(err) {
			return nil, &AddrInUseError{Addr: cfg.Addr}
		}
		return nil, err
	}
	cache, err := os.MkdirTemp("", "anyfaas-dev-")
	if err != nil {
		ln.Close()
		return nil, err
	}
	s := &Server{cfg: cfg, cache: cache, defaulted: defaulted}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	// While a unit's process holds the address, the connections this
	// server keeps alive are closed after their next request, so that
	// their clients come back through the door. So are those a process
	// hands back as it lets go: their next request gets the new build,
	// through the proxy.
	s.door = frontdoor.Open(ln.(*net.TCPListener), func(held bool) {
		s.srv.SetKeepAlivesEnabled(!held)
	})
	s.ln = s.door.Listener()
	// Without its Unix sockets (a temporary directory whose path is too
	// long for one, say), or where a socket cannot be handed over
	// (Windows), the server proxies every request.
	if s.noDoor = frontdoor.Unsupported(); s.noDoor == nil {
		if s.control, err = net.Listen("unix", filepath.Join(cache, "control.sock")); err != nil {
			s.noDoor = err
		}
	}
	return s, nil
}

// URL returns the address the server serves on, as a URL.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Run serves on the server's address at once, builds the project and,
// unless Config.Poll is negative, rebuilds it on every change, until ctx
// is done; then it lets the requests in flight finish (for up to 10 s),
// stops the units, running their Close hooks, and returns. Until the
// first build is done requests are answered 503; a build that fails is
// reported on the log and answered with 503 until a change fixes it,
// unless an earlier build keeps serving.
func (s *Server) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srv := s.srv
	served := make(chan error, 1)
	go func() { served <- srv.Serve(s.ln) }()
	// The door's process passes back here the requests that are not for
	// its unit: other units', no unit's, /_anyfaas/.
	control := &http.Server{Handler: http.HandlerFunc(s.serveControlSocket), ReadHeaderTimeout: 10 * time.Second}
	if s.control != nil {
		go control.Serve(s.control)
	}
	fmt.Fprintf(s.cfg.Log, "anyfaas dev: serving on %s (%s); Ctrl-C stops\n", s.URL(), s.platformText())
	if s.noDoor != nil && !s.cfg.Proxy && s.cfg.Platform == faas.PlatformWeb {
		fmt.Fprintf(s.cfg.Log, "anyfaas dev: every request goes through the proxy: %v\n", s.noDoor)
	}

	// The tree as it is before the first build: a save during that
	// build is a change.
	var before map[string]fileState
	if s.cfg.Poll > 0 {
		before = snapshot(s.cfg.Dir)
	}
	watching := make(chan struct{})
	go func() {
		defer close(watching)
		s.Rebuild(ctx)
		if s.cfg.Poll > 0 {
			s.watch(ctx, before)
		}
	}()
	var err error
	select {
	case <-ctx.Done():
	case err = <-served:
	}
	cancel()
	<-watching
	shutdown, stop := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer stop()
	srv.Shutdown(shutdown)
	control.Shutdown(shutdown)
	s.Close(shutdown)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	fmt.Fprintln(s.cfg.Log, "anyfaas dev: stopped")
	return err
}

// platformText says, for the banner, which platform the units run under.
// Where that is the plain HTTP adapter by default and the spec's
// provider.name names another platform, it says so, and how to emulate
// that one.
func (s *Server) platformText() string {
	text := "platform " + s.cfg.Platform
	if !s.defaulted {
		return text
	}
	// A spec that does not load says so when the build loads it.
	sp, err := project.LoadSpec(s.cfg.Dir, s.cfg.SpecFile)
	if err != nil || sp.Provider.Platform == "" || sp.Provider.Platform == s.cfg.Platform {
		return text
	}
	return fmt.Sprintf("%s: the plain HTTP adapter; %s's provider.name is %s, which -p %s emulates",
		text, filepath.Base(sp.File), sp.Provider.Name, sp.Provider.Platform)
}

// Close stops the units serving, running their Close hooks, stops
// listening and removes the builds. It waits for a build under way, and
// for the requests in flight until ctx is done; the units then get their
// platform's own grace to stop. Run closes the server when it returns;
// Close is for a server whose Rebuild and ServeHTTP are called directly.
func (s *Server) Close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.buildMu.Lock() // a build under way sees closed, and drops its units
	s.buildMu.Unlock()
	s.mu.Lock()
	gen := s.gen
	s.gen = nil
	s.mu.Unlock()
	if gen != nil {
		gen.close(ctx)
	}
	s.retiring.Wait()
	if s.control != nil {
		s.control.Close()
	}
	s.door.Close()
	return os.RemoveAll(s.cache)
}

// Rebuild builds the project and, if that works, serves the new build in
// place of the old one, which then closes once its requests are done. It
// returns the build's failure, which also stays on the server until a
// build succeeds. Builds run one at a time.
func (s *Server) Rebuild(ctx context.Context) error {
	s.buildMu.Lock()
	defer s.buildMu.Unlock()
	start := time.Now()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errClosed
	}
	s.builds++
	n := s.builds
	s.mu.Unlock()
	gen, err := s.build(ctx, n)
	if err == nil {
		gen.startTimers(ctx, s) // before it serves, so that close sees them
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		if gen != nil {
			gen.close(context.WithoutCancel(ctx))
		}
		return errClosed
	}
	old := s.gen
	if err == nil {
		s.gen, s.buildErr = gen, nil
		if old != nil {
			s.retiring.Add(1)
		}
	} else if ctx.Err() == nil {
		s.buildErr = err
	}
	s.mu.Unlock()
	if err != nil {
		if ctx.Err() != nil {
			return err // stopping: not the code's failure
		}
		keep := ""
		if old != nil {
			keep = " (the previous build keeps serving)"
			s.waitAnnounced()
		}
		fmt.Fprintf(s.cfg.Log, "anyfaas dev: %s%s:\n%s\n", failed(err), keep, err)
		return err
	}
	if old != nil && old.entry != nil {
		// The old build's process stops taking requests through the door
		// before the new build is said to serve.
		letGo, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		if err := old.entry.Close(letGo); err != nil {
			fmt.Fprintf(s.cfg.Log, "anyfaas dev: build %d's process: %v\n", old.n, err)
		}
		cancel()
	}
	what := "rebuilt"
	if n == 1 {
		what = "built"
	}
	line := fmt.Sprintf("anyfaas dev: %s in %d ms: %s", what, time.Since(start).Milliseconds(), gen.summary())
	if old == nil {
		fmt.Fprintln(s.cfg.Log, line)
		return nil
	}
	s.announce(context.WithoutCancel(ctx), line, old)
	return nil
}

// announce closes old, the build that the new one replaced, in the
// background, and prints line, which says the new one serves, once old's
// units have stopped, so that their last lines (a web unit's "stopping",
// the Close hooks' output) do not come after it as if the new build's
// units stopped; or after stopWait, saying they are still stopping. The
// new build serves already: only the line waits. Announcements are
// printed in the order of their builds.
func (s *Server) announce(ctx context.Context, line string, old *generation) {
	s.mu.Lock()
	prev := s.announced
	done := make(chan struct{})
	s.announced = done
	s.mu.Unlock()
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		old.close(ctx)
	}()
	go func() {
		defer s.retiring.Done()
		if prev != nil {
			<-prev
		}
		timer := time.NewTimer(stopWait)
		select {
		case <-stopped:
		case <-timer.C:
			line += "; the previous build's units are still stopping"
		}
		timer.Stop()
		fmt.Fprintln(s.cfg.Log, line)
		close(done)
		<-stopped
	}()
}

// waitAnnounced returns once the last good build is announced.
func (s *Server) waitAnnounced() {
	s.mu.Lock()
	done := s.announced
	s.mu.Unlock()
	if done != nil {
		<-done
	}
}

// build makes generation n: the spec, the binary, its description, the
// units and their emulators, started.
func (s *Server) build(ctx context.Context, n int) (*generation, error) {
	sp, err := project.LoadSpecOrCode(s.cfg.Dir, s.cfg.SpecFile)
	if err != nil {
		return nil, specError(false, err)
	}
	dir := filepath.Join(s.cache, fmt.Sprintf("build-%d", n))
	opts := artifact.BuildOptions{
		Target: artifact.NativeTarget(s.cfg.Platform),
		Dir:    s.cfg.Dir, Main: cmp.Or(sp.Package.Main, "."),
		Output: filepath.Join(dir, artifact.Executable(s.cfg.Platform)),
		Native: true,
	}
	s.mu.Lock()
	s.buildOpts, s.buildBegan = opts, time.Now()
	s.mu.Unlock()
	bin, err := artifact.Build(ctx, opts)
	if err != nil {
		var berr *artifact.BuildError
		if errors.As(err, &berr) {
			if out := strings.TrimSpace(berr.Output); out != "" {
				return nil, errors.New(out)
			}
			// The go command did not run: say why, and where.
			return nil, fmt.Errorf("go build in %s: %w", s.cfg.Dir, berr.Err)
		}
		return nil, err
	}
	desc, err := project.Describe(ctx, bin, s.cfg.Dir)
	if err != nil {
		return nil, &stageError{"reading the code's functions failed", err}
	}
	merged, err := spec.Merge(sp, *desc)
	if err != nil {
		return nil, specError(true, err)
	}
	gen := &generation{n: n, binary: bin, dir: dir, spec: merged, byFunction: map[string]*unitRun{}, routes: &route.Table[*unitRun]{}}
	units := merged.Units()
	if gen.door = s.doorUnit(merged, units); gen.door != nil {
		// In the cache, not the build's directory: a Unix socket's path
		// is short.
		if gen.entry, err = s.door.Entry(filepath.Join(s.cache, fmt.Sprintf("door-%d.sock", n))); err != nil {
			fmt.Fprintf(s.cfg.Log, "anyfaas dev: every request goes through the proxy: %v\n", err)
			gen.door = nil
		}
	}
	// Groups first: a function deployed both in a group and on its own
	// (deployOrigin) has its routes served by the group, as the
	// generators deploy it.
	slices.SortStableFunc(units, func(a, b *spec.Unit) int {
		return cmp.Compare(boolInt(a.Group == nil), boolInt(b.Group == nil))
	})
	for _, u := range units {
		run, err := s.unit(gen, u)
		if err != nil {
			gen.close(ctx)
			return nil, err
		}
		gen.units = append(gen.units, run)
	}
	if gen.door != nil {
		if err := gen.writeRoutes(); err != nil {
			gen.close(ctx)
			return nil, err
		}
	}
	if err := gen.start(ctx); err != nil {
		gen.close(ctx)
		return nil, &stageError{"start failed", err}
	}
	return gen, nil
}

// unit makes the emulator of u, and adds its functions and routes.
func (s *Server) unit(gen *generation, u *spec.Unit) (*unitRun, error) {
	f, err := UnitFunction(gen.spec, u, s.cfg.Platform, gen.binary, s.cfg.Dir, gen.dir)
	if err != nil {
		return nil, err
	}
	f.Log = &prefixWriter{prefix: "[" + u.Name + "] ", w: s.cfg.Log}
	if s.cfg.Verbose {
		f.Env = append(f.Env, "FAAS_VERBOSE=1")
	}
	if u == gen.door {
		f.Env = append(f.Env, frontdoor.ListenerEnv+"="+gen.entry.Path(), frontdoor.ControlEnv+"="+s.control.Addr().String(),
			frontdoor.RoutesEnv+"="+gen.routesFile())
	}
	emu, err := s.cfg.Emulator(s.cfg.Platform, f, gen.spec, u)
	if err != nil {
		return nil, err
	}
	run := &unitRun{unit: u, emu: emu}
	for _, fn := range u.Functions {
		if prev, ok := gen.byFunction[fn.Name]; !ok || prev.unit.Group == nil {
			gen.byFunction[fn.Name] = run // a group serves a function it shares with its own unit (deployOrigin)
		}
		for _, e := range fn.Events {
			if e.HTTP == nil {
				continue
			}
			methods := e.HTTP.Methods
			if len(methods) == 0 {
				methods = []string{route.Any}
			}
			for _, m := range methods {
				p, err := route.Parse(m + " " + e.HTTP.Path)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", fn.Name, err)
				}
				if err := gen.routes.Add(p, run); err != nil {
					var conflict *route.ConflictError
					if errors.As(err, &conflict) {
						if prev, ok := conflict.ExistingValue.(*unitRun); ok && prev.unit.Group != nil {
							continue // the group keeps its route
						}
					}
					return nil, err
				}
				gen.routeList = append(gen.routeList, p.String()+" → "+fn.Name)
				gen.owners = append(gen.owners, routeOwner{pattern: p.String(), run: run})
			}
		}
	}
	return run, nil
}

// doorUnit returns the unit of sp whose process takes the requests
// through the door, or nil: see Config.Proxy.
func (s *Server) doorUnit(sp *spec.Spec, units []*spec.Unit) *spec.Unit {
	if s.cfg.Proxy || s.cfg.Platform != faas.PlatformWeb || s.noDoor != nil {
		return nil
	}
	var best *spec.Unit
	most := 0
	for _, u := range units {
		n := 0
		for _, fn := range u.Functions {
			for _, e := range fn.Events {
				if e.HTTP != nil {
					n += max(len(e.HTTP.Methods), 1)
				}
			}
		}
		if n > most {
			best, most = u, n
		}
	}
	if best == nil || best.Settings(sp.Provider).Concurrency != 0 {
		return nil
	}
	return best
}

// routesFile is where the routes of the generation are written for the
// door's process.
func (gen *generation) routesFile() string { return filepath.Join(gen.dir, "door-routes.json") }

// writeRoutes writes the routes file: every route, and whether the door's
// unit serves it.
func (gen *generation) writeRoutes() error {
	list := make([]frontdoor.Route, len(gen.owners))
	for i, o := range gen.owners {
		list[i] = frontdoor.Route{Pattern: o.pattern, Here: o.run.unit == gen.door}
	}
	data, err := json.Marshal(list)
	if err != nil {
		return err
	}
	return os.WriteFile(gen.routesFile(), data, 0o644)
}

// UnitFunction returns what an emulator runs for unit u of the merged spec
// s on platform: binary, in the project's directory dir, with the unit's
// manifest (written into manifestDir) as FAAS_MANIFEST, the development
// mode on, and the unit's settings: environment (with the storage filters
// of its functions, as faas.StorageFiltersEnv, whatever the platform),
// memory, timeout and concurrency. Its Log is unset.
func UnitFunction(s *spec.Spec, u *spec.Unit, platform, binary, dir, manifestDir string) (emulator.Function, error) {
	manifest := filepath.Join(manifestDir, u.Name+".faas.json")
	data, err := json.MarshalIndent(u.Manifest(platform), "", "  ")
	if err != nil {
		return emulator.Function{}, err
	}
	if err := os.WriteFile(manifest, data, 0o644); err != nil {
		return emulator.Function{}, err
	}
	set := u.Settings(s.Provider)
	// The storage filters of f.yml hold on every platform, not only where
	// the generators write them (gcf and web, whose triggers cannot filter
	// by object name): on aws, fc and scf the platform's trigger filters,
	// so an event that does not pass never reaches the function, and an
	// App that skips it here is what the user sees there too. Unlike the
	// generators (gen.Delivered), every function of the unit has its
	// filters, as the dev server sends a group the events of a function
	// that also has a unit of its own.
	if v := spec.StorageFiltersEnv(u.Functions); v != "" {
		set.Environment[faas.StorageFiltersEnv] = v
	}
	env := []string{"FAAS_MANIFEST=" + manifest, "FAAS_ENV=development"}
	for _, k := range slices.Sorted(mapKeys(set.Environment)) {
		env = append(env, k+"="+set.Environment[k])
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return emulator.Function{}, err
	}
	return emulator.Function{
		Name:        cmp.Or(s.Service.Name, "anyfaas") + "-" + u.Name,
		Binary:      binary,
		Dir:         abs,
		Env:         env,
		MemoryMB:    set.MemorySize,
		Timeout:     time.Duration(set.Timeout) * time.Second,
		Concurrency: set.Concurrency,
	}, nil
}

// start starts every unit's emulator at once.
func (gen *generation) start(ctx context.Context) error {
	errs := make([]error, len(gen.units))
	var wg sync.WaitGroup
	for i, u := range gen.units {
		wg.Go(func() {
			if err := u.emu.Start(ctx); err != nil {
				errs[i] = fmt.Errorf("unit %s: %w", u.unit.Name, err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// close stops the timers, waits for the requests in flight until ctx is
// done, and closes every emulator, which runs the units' Close hooks
// within the platform's grace.
func (gen *generation) close(ctx context.Context) {
	if gen.stopTimers != nil {
		gen.stopTimers()
	}
	if gen.entry != nil {
		gen.entry.Close(ctx)
	}
	gen.timers.Wait()
	idle := make(chan struct{})
	go func() {
		gen.inflight.Wait()
		close(idle)
	}()
	select {
	case <-idle:
	case <-ctx.Done():
	}
	stopping := context.WithoutCancel(ctx)
	var wg sync.WaitGroup
	for _, u := range gen.units {
		wg.Go(func() { u.emu.Close(stopping) })
	}
	wg.Wait()
	os.RemoveAll(gen.dir)
}

func (gen *generation) summary() string {
	var parts []string
	for _, u := range gen.units {
		parts = append(parts, u.unit.Name)
	}
	direct := ""
	if gen.door != nil {
		direct = "; " + gen.door.Name + "'s process takes the requests on this address"
	}
	return fmt.Sprintf("%d units (%s), %d routes%s", len(gen.units), strings.Join(parts, ", "), len(gen.routeList), direct)
}

// acquire returns the current generation, counted in flight, or nil and
// why there is none.
func (s *Server) acquire() (*generation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.gen != nil:
		s.gen.inflight.Add(1)
		return s.gen, nil
	case s.closed:
		return nil, errClosed
	case s.buildErr != nil:
		return nil, s.buildErr
	}
	return nil, errBuilding
}

// ServeHTTP serves the units' HTTP routes, and the dev server's own
// endpoints under /_anyfaas/.
//
// A request whose Host does not name the dev server (a loopback name or
// the address it serves on, with its port) is refused with 403, whatever
// its path: a DNS-rebinding page, on a name its author points at
// 127.0.0.1, could otherwise read what the functions answer, as
// webpack-dev-server and Vite refuse it too. A request to /_anyfaas/ from
// a page of another origin (its Origin, or Sec-Fetch-Site) is refused as
// well, so that no web page can fire events at the functions, which hold
// the developer's credentials; the functions' routes take cross-origin
// requests, whose CORS the App's cors layer answers as deployed.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if msg := s.refuse(r); msg != "" {
		writeError(w, http.StatusForbidden, msg, "")
		return
	}
	gen, err := s.acquire()
	if err != nil {
		msg := "anyfaas dev: " + failed(err) + ":\n" + err.Error()
		if errors.Is(err, errBuilding) || errors.Is(err, errClosed) {
			w.Header().Set("Retry-After", "1")
			msg = "anyfaas dev: " + err.Error()
		}
		writeError(w, http.StatusServiceUnavailable, msg, "")
		return
	}
	defer gen.inflight.Done()
	if rest, ok := strings.CutPrefix(r.URL.Path, "/_anyfaas/"); ok {
		s.serveControl(w, r, gen, rest)
		return
	}
	_, run := gen.routes.Lookup(r.Method, r.URL.Path)
	if run == nil && frontdoor.PreflightMethod(r) != "" {
		run = gen.preflightUnit(r)
	}
	if run == nil {
		// Answered as the App answers what it routes to no function (see
		// faas.App's routing): the same status, Allow, message and JSON
		// body, the dev server's help in its detail.
		if allowed := gen.routes.Allowed(r.URL.Path); len(allowed) > 0 {
			list := strings.Join(allowed, ", ")
			w.Header().Set("Allow", list)
			writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s is not allowed on %s (allowed: %s)", r.Method, r.URL.Path, list), "")
			return
		}
		detail := "anyfaas dev: the routes are: " + strings.Join(gen.routeList, "; ")
		if len(gen.routeList) == 0 {
			detail = "anyfaas dev: no function has an HTTP route; invoke one with POST /_anyfaas/invoke/{function}"
		}
		writeError(w, http.StatusNotFound, fmt.Sprintf("no function serves %s %s", r.Method, r.URL.Path), detail)
		return
	}
	run.emu.ServeHTTP(w, r)
}

// refuse returns why the dev server refuses r (see ServeHTTP), or "".
func (s *Server) refuse(r *http.Request) string {
	local := s.ln.Addr()
	own := frontdoor.HostAllowed(r.Host, local)
	if !own && !s.allowedHost(r.Host) {
		return fmt.Sprintf("anyfaas dev: refused a request for Host %q: the dev server answers only requests for %s or a loopback name (localhost, 127.0.0.1, [::1]) with its port, against DNS rebinding; a tunnel's name is taken with --allow-host NAME", r.Host, local)
	}
	if strings.HasPrefix(r.URL.Path, frontdoor.ControlPrefix) {
		if !own {
			// A tunnel's name (--allow-host) is for the functions'
			// routes: through it, anyone on the internet could fire
			// events at the functions, with no Origin to refuse.
			return fmt.Sprintf("anyfaas dev: refused a request to %s for Host %q: the dev server's endpoints answer only requests for %s or a loopback name with its port; --allow-host names serve the functions' routes alone", r.URL.Path, r.Host, local)
		}
		if why := frontdoor.CrossOrigin(r, local); why != "" {
			return fmt.Sprintf("anyfaas dev: refused a cross-origin request to %s (%s): the dev server's endpoints take requests from its own origin (%s) or from tools that send no Origin, such as curl", r.URL.Path, why, s.URL())
		}
	}
	return ""
}

// allowedHost reports whether host, a request's Host, names one of
// Config.AllowedHosts, on any port.
func (s *Server) allowedHost(host string) bool {
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.TrimSuffix(name, ".")
	return slices.ContainsFunc(s.cfg.AllowedHosts, func(a string) bool { return strings.EqualFold(a, name) })
}

// preflightUnit returns the unit to which a CORS preflight for a path
// that no route serves with OPTIONS goes, so that the App (its cors layer)
// answers it, as the gateways anyfaas generates for do: the unit that
// serves the method the preflight asks for on the path, else one that
// serves the path with another method, else nil.
func (gen *generation) preflightUnit(r *http.Request) *unitRun {
	if _, run := gen.routes.Lookup(frontdoor.PreflightMethod(r), r.URL.Path); run != nil {
		return run
	}
	for _, m := range gen.routes.Allowed(r.URL.Path) {
		if _, run := gen.routes.Lookup(m, r.URL.Path); run != nil {
			return run
		}
	}
	return nil
}

// serveControlSocket serves a request that the door's process passed on,
// as the client sent it.
func (s *Server) serveControlSocket(w http.ResponseWriter, r *http.Request) {
	if addr := r.Header.Get(frontdoor.RemoteAddrHeader); addr != "" {
		r.RemoteAddr = addr
		r.Header.Del(frontdoor.RemoteAddrHeader)
	}
	s.ServeHTTP(w, r)
}

// serveControl serves /_anyfaas/: GET / the units, functions and routes;
// POST invoke/{function} an event.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request, gen *generation, rest string) {
	if fn, ok := strings.CutPrefix(rest, "invoke/"); ok && r.Method == http.MethodPost {
		s.serveInvoke(w, r, gen, fn)
		return
	}
	if rest == "" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		type unitView struct {
			Name      string   `json:"name"`
			Functions []string `json:"functions"`
		}
		view := struct {
			Platform string     `json:"platform"`
			Build    int        `json:"build"`
			Units    []unitView `json:"units"`
			Routes   []string   `json:"routes"`
		}{Platform: s.cfg.Platform, Build: gen.n, Routes: gen.routeList}
		for _, u := range gen.units {
			v := unitView{Name: u.unit.Name}
			for _, f := range u.unit.Functions {
				v.Functions = append(v.Functions, f.Name)
			}
			view.Units = append(view.Units, v)
		}
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(view)
		return
	}
	const usage = "anyfaas dev: GET /_anyfaas/ lists the units; POST /_anyfaas/invoke/{function} invokes one"
	switch {
	case strings.HasPrefix(rest, "invoke/"):
		w.Header().Set("Allow", http.MethodPost)
	case rest == "":
		w.Header().Set("Allow", "GET, HEAD")
	default:
		writeError(w, http.StatusNotFound, usage, "")
		return
	}
	writeError(w, http.StatusMethodNotAllowed, usage, "")
}

// serveInvoke invokes a function with the request's body as a native
// event, or with ?trigger=… the catalog's sample event of that trigger,
// the body's JSON object of strings and the other query parameters
// overriding its fields. With neither, a function of another trigger
// than HTTP is sent the sample of its first trigger. A request with a
// ce-specversion header is a CloudEvent in binary mode: its body, JSON or
// not, is the event's data, and its ce-* headers and Content-Type go with
// it to the emulator (gcf and web; the other platforms refuse it). A
// structured CloudEvent in the body is delivered as it is; a sample as the
// platform delivers it (in binary mode on gcf and web).
func (s *Server) serveInvoke(w http.ResponseWriter, r *http.Request, gen *generation, fn string) {
	run, ok := gen.byFunction[fn]
	if !ok {
		names := slices.Sorted(mapKeys(gen.byFunction))
		writeError(w, http.StatusNotFound, fmt.Sprintf("anyfaas dev: no function %q; the functions are %s", fn, strings.Join(names, ", ")), "")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "anyfaas dev: reading the event: "+err.Error(), "")
		return
	}
	event := body
	trigger := r.URL.Query().Get("trigger")
	f := gen.spec.Function(fn)
	// A CloudEvent in binary mode: its data is the body, whatever it
	// holds, and its attributes the ce-* headers, passed on as they are.
	binary := BinaryHeader(r.Header)
	if binary != nil && trigger == "" {
		if !DeliversBinary(s.cfg.Platform) {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("anyfaas dev: a CloudEvent in binary mode (ce-* headers) is delivered by gcf and web, not %s: run anyfaas dev -p gcf, or send a native event of %s", s.cfg.Platform, s.cfg.Platform), "")
			return
		}
		s.invoke(w, r, run, fn, body, binary)
		return
	}
	if trigger == "" && len(bytes.TrimSpace(body)) == 0 && f != nil && len(f.Events) > 0 && f.Events[0].Trigger != faas.TriggerHTTP {
		// No event: the sample of its first trigger, as invoke sends. An
		// HTTP function is served on its routes.
		trigger = f.Events[0].Trigger
	}
	if trigger != "" {
		overrides := map[string]string{}
		if len(bytes.TrimSpace(body)) > 0 {
			var fields map[string]any
			if err := json.Unmarshal(body, &fields); err != nil {
				if err := CheckJSON(body); err != nil {
					writeError(w, http.StatusBadRequest, "anyfaas dev: with ?trigger, the body is a JSON object of overrides: "+err.Error(), "")
					return
				}
				writeError(w, http.StatusBadRequest, "anyfaas dev: with ?trigger, the body is a JSON object of overrides, such as {\"key\": \"a.txt\", \"size\": 10}", "")
				return
			}
			for k, v := range fields {
				if str, ok := v.(string); ok {
					overrides[k] = str
					continue
				}
				text, _ := json.Marshal(v)
				overrides[k] = string(text)
			}
		}
		for k, vs := range r.URL.Query() {
			if k != "trigger" && len(vs) > 0 {
				overrides[k] = vs[len(vs)-1]
			}
		}
		var declared *spec.Event
		if f != nil {
			if err := f.CheckTrigger(trigger, gen.spec.File); err != nil {
				writeError(w, http.StatusBadRequest, fmt.Sprintf("anyfaas dev: ?trigger=%s: %v", trigger, err), "")
				return
			}
			declared = f.EventOf(trigger)
		}
		if trigger == faas.TriggerTimer {
			name := fn
			if declared != nil {
				name = cmp.Or(gen.spec.EventSource(s.cfg.Platform, declared), fn)
			}
			TimerDefaults(overrides, name, time.Now())
		}
		if event, err = s.cfg.Event(s.cfg.Platform, trigger, declared, gen.spec.Provider.Project, overrides); err != nil {
			writeError(w, http.StatusBadRequest, "anyfaas dev: "+err.Error(), "")
			return
		}
	} else if err := CheckJSON(body); err != nil {
		writeError(w, http.StatusBadRequest, "anyfaas dev: the event: "+err.Error(), "")
		return
	} else if err := CheckNative(s.cfg.Platform, body); err != nil && (f == nil || f.EventOf(faas.TriggerHTTP) == nil) {
		// On web, say, the emulator would post it as a request to
		// /<function>, which no route serves.
		like := err.(*ForeignEventError).Like
		writeError(w, http.StatusBadRequest, fmt.Sprintf("anyfaas dev: %v: run anyfaas dev -p %s to emulate %s, or ask for a sample of %s with ?trigger=%s",
			err, like.Platform, like.Platform, s.cfg.Platform, like.Trigger), "")
		return
	}
	var header http.Header
	if trigger == "" {
		// The user's own event: a structured CloudEvent is delivered as
		// given; a sample goes as the platform delivers it.
		header = DeliveryHeader(r.Header, event)
	}
	s.invoke(w, r, run, fn, event, header)
}

// invoke delivers event, with header (see emulator.WithHeader), to
// function fn of run's unit and answers with the result.
func (s *Server) invoke(w http.ResponseWriter, r *http.Request, run *unitRun, fn string, event []byte, header http.Header) {
	ctx := emulator.WithFunction(r.Context(), fn)
	if header != nil {
		ctx = emulator.WithHeader(ctx, header)
	}
	res, err := run.emu.Invoke(ctx, event)
	if err != nil {
		writeError(w, http.StatusBadGateway, "anyfaas dev: "+err.Error(), "")
		return
	}
	h := w.Header()
	// The payload is the platform's answer as it is: JSON on most, but on
	// gcf a failure is text (as functions-framework-go answers it), and
	// so is an emulator's own answer for a process that timed out or died.
	h.Set("Content-Type", payloadType(res.Payload))
	h.Set("X-Anyfaas-Request-Id", res.RequestID)
	h.Set("X-Anyfaas-Duration-Ms", fmt.Sprintf("%.2f", float64(res.Duration.Microseconds())/1000))
	status := http.StatusOK
	if res.Error != nil {
		if res.Error.Type != "" {
			h.Set("X-Anyfaas-Error-Type", res.Error.Type)
		}
		status = http.StatusInternalServerError
	}
	w.WriteHeader(status)
	w.Write(res.Payload)
}

// payloadType is the Content-Type of an invocation's payload: JSON, or
// text when it is not (an empty payload is neither, and says text).
func payloadType(payload []byte) string {
	if len(bytes.TrimSpace(payload)) > 0 && json.Valid(payload) {
		return contentJSON
	}
	return "text/plain; charset=utf-8"
}

// contentJSON is the Content-Type of the App's and the adapters' JSON
// answers.
const contentJSON = "application/json; charset=utf-8"

// writeError answers a request the dev server answers itself (no unit
// serves it, a method the route does not take, a bad request to
// /_anyfaas/) in the shape the App and the adapters answer theirs: status
// and a JSON body {"error": msg}, with "detail" when detail is not "", so
// that a client reads a 404 of the dev server as it reads the App's.
func writeError(w http.ResponseWriter, status int, msg, detail string) {
	body, _ := faas.EncodeResult(errorBody{Error: msg, Detail: detail})
	h := w.Header()
	h.Set("Content-Type", contentJSON)
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(body)
}

// errorBody is the JSON body of an error response, as package faas
// writes it.
type errorBody struct {
	Error  string `json:"error"`
	Detail string `json:"detail,omitempty"`
}

// TimerDefaults fills in a timer sample's overrides what a deployed
// trigger gives: its name, which is how a unit of several timer functions
// tells them apart, and the time now. name is the one its unit's
// manifest gives it on the platform (spec.Spec.EventSource), or, where
// it has none, the function's.
func TimerDefaults(overrides map[string]string, name string, now time.Time) {
	if _, ok := overrides["name"]; !ok {
		overrides["name"] = name
	}
	if _, ok := overrides["time"]; !ok {
		overrides["time"] = now.UTC().Format(time.RFC3339)
	}
}

// CheckJSON returns an error saying where data stops being JSON, with the
// line and column, or nil.
func CheckJSON(data []byte) error {
	if json.Valid(data) {
		return nil
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return errors.New("empty: want a JSON event")
	}
	var v any
	err := json.Unmarshal(data, &v)
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		// Offset counts the bytes read, the offending one included.
		line, col := position(data, int(syn.Offset)-1)
		return fmt.Errorf("not JSON at line %d, column %d: %v", line, col, syn)
	}
	return fmt.Errorf("not JSON: %v", err)
}

// position returns the 1-based line and column of byte offset off.
func position(data []byte, off int) (line, col int) {
	off = max(min(off, len(data)), 0)
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = off - bytes.LastIndexByte(before, '\n')
	if col < 1 {
		col = 1
	}
	return line, col
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// prefixWriter prefixes each line written to w.
type prefixWriter struct {
	mu     sync.Mutex
	prefix string
	w      io.Writer
	buf    []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf = p.buf[:0]
	for line := range bytes.Lines(b) {
		p.buf = append(append(p.buf, p.prefix...), line...)
	}
	_, err := p.w.Write(p.buf)
	if cap(p.buf) > 64<<10 {
		p.buf = nil // a long line once: not kept
	}
	if err != nil {
		return 0, err
	}
	return len(b), nil
}
