package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anyfaas/faas/artifact"
	"github.com/anyfaas/faas/emulator"
	"github.com/anyfaas/faas/internal/devserver"
	"github.com/anyfaas/faas/spec"
)

// devProject copies examples/hello into a module of its own in a temporary
// directory, as a user's project, and returns the directory.
var devProject = sync.OnceValues(func() (string, error) {
	root, err := filepath.Abs("..")
	if err != nil {
		return "", err
	}
	dir := filepath.Join(tmpRoot(), "devhello")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	src, err := os.ReadFile(filepath.Join(root, "examples", "hello", "main.go"))
	if err != nil {
		return "", err
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		return "", err
	}
	files := map[string][]byte{
		"main.go": src,
		"go.sum":  sum,
		"go.mod":  []byte("module devhello\n\ngo 1.26\n\nrequire github.com/anyfaas/faas v0.0.0-00010101000000-000000000000\n\nreplace github.com/anyfaas/faas => " + root + "\n"),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return "", err
		}
	}
	tidy := exec.Command("go", "mod", "tidy")
	tidy.Dir = dir
	if out, err := tidy.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go mod tidy: %v\n%s", err, out)
	}
	return dir, nil
})

// save rewrites the project's main.go as an editor saving a change does:
// the default name, which the benchmarks' requests do not see, becomes
// "world <n>", so that the main package compiles anew.
func save(tb testing.TB, dir string, n int) {
	tb.Helper()
	file := filepath.Join(dir, "main.go")
	src, err := os.ReadFile(file)
	if err != nil {
		tb.Fatal(err)
	}
	i := bytes.Index(src, []byte(`name = "world`))
	if i < 0 {
		tb.Fatalf("%s: no default name to change", file)
	}
	j := i + bytes.IndexByte(src[i+len(`name = "`):], '"') + len(`name = "`)
	out := append(append(append([]byte(nil), src[:i]...), fmt.Sprintf(`name = "world %d`, n)...), src[j:]...)
	if err := os.WriteFile(file, out, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// startDev runs anyfaas dev's server on the project, on the plain HTTP
// adapter (the default), and returns its URL once it serves /hello.
func startDev(b *testing.B, dir string, proxy bool) (*devserver.Server, string) {
	b.Helper()
	srv, err := devserver.New(devserver.Config{
		Dir: dir, Addr: "127.0.0.1:0", Log: io.Discard, Poll: -1, Proxy: proxy,
		Emulator: devserver.NewEmulator,
		Event: func(string, string, *spec.Event, string, map[string]string) ([]byte, error) {
			return nil, errors.New("no events in the benchmark")
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	b.Cleanup(func() {
		cancel()
		<-done
	})
	waitServing(b, srv.URL())
	return srv, srv.URL()
}

// startBare runs testdata/barehello, examples/hello's handler on a bare
// net/http server, and returns its URL once it serves /hello.
func startBare(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(tmpRoot(), "barehello", "barehello")
	build := exec.Command("go", "build", "-o", bin, "./testdata/barehello")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return runServer(b, bin, "", func(string) []string { return nil })
}

// runServer runs the server bin in dir on a loopback port reserved for it,
// with the environment env gives for that port besides PORT, stops it when
// the benchmark ends, and returns its URL once it serves /hello.
func runServer(b *testing.B, bin, dir string, env func(port string) []string) string {
	b.Helper()
	reserved, err := emulator.ReservePort()
	if err != nil {
		b.Fatal(err)
	}
	port := strconv.Itoa(reserved.Number)
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "PORT="+port), env(port)...)
	if err := cmd.Start(); err != nil {
		reserved.Release()
		b.Fatal(err)
	}
	b.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		reserved.Release()
	})
	url := "http://127.0.0.1:" + port
	waitServing(b, url)
	return url
}

func waitServing(b *testing.B, url string) {
	b.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := http.Get(url + "/hello?name=anyfaas")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				checkReply(b, body, false)
				return
			}
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s does not serve /hello: %v", url, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// startWeb runs the project as anyfaas dev runs it, built for the plain
// HTTP adapter with the environment emulator/web gives it, but reached
// directly, without the dev server in front: what the adapter costs over
// a bare server.
func startWeb(b *testing.B, dir string) string {
	b.Helper()
	bin, err := artifact.Build(context.Background(), artifact.BuildOptions{
		Target: artifact.NativeTarget("web"), Dir: dir, Main: ".",
		Output: filepath.Join(tmpRoot(), "devhello-web", "bootstrap"), Native: true,
	})
	if err != nil {
		b.Fatal(err)
	}
	return runServer(b, bin, dir, func(port string) []string {
		return []string{"FAAS_ADDR=127.0.0.1:" + port, "K_SERVICE=devhello", "FAAS_TIMEOUT=5m0s", "FAAS_ENV=development"}
	})
}

// startProxy serves, in this process, a bare httputil.ReverseProxy to
// target: the least a server that passes requests to another process, as
// anyfaas dev does, can cost.
func startProxy(b *testing.B, target string) string {
	b.Helper()
	u, err := url.Parse(target)
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.Transport = &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
	proxy.BufferPool = &buffers{sync.Pool{New: func() any { return new([32 << 10]byte) }}}
	srv := &http.Server{Handler: proxy}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// buffers is a httputil.BufferPool.
type buffers struct{ pool sync.Pool }

func (p *buffers) Get() []byte  { return p.pool.Get().(*[32 << 10]byte)[:] }
func (p *buffers) Put(b []byte) { p.pool.Put((*[32 << 10]byte)(b)) }

// devClients is how many clients the load generator runs at once.
const devClients = 8

// BenchmarkDevServer is issue 6, target 6's throughput: GET
// /hello?name=anyfaas from devClients keep-alive clients over loopback,
// against anyfaas dev serving examples/hello (its server, in this process,
// passing each request to the unit's process as Knative would) and against
// examples/hello's handler on a bare net/http server (its own process),
// reached directly (bare) or through a bare httputil.ReverseProxy in this
// process (bare-proxied), which is what passing requests on costs alone;
// and the unit's own process, as anyfaas dev runs it, reached directly
// (anyfaas-web), which is what the plain HTTP adapter costs alone.
// ns/op is the inverse of the throughput, also reported as req/s.
func BenchmarkDevServer(b *testing.B) {
	dir, err := devProject()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("server=bare", func(b *testing.B) { load(b, startBare(b)+"/hello?name=anyfaas") })
	b.Run("server=anyfaas-web", func(b *testing.B) { load(b, startWeb(b, dir)+"/hello?name=anyfaas") })
	b.Run("server=bare-proxied", func(b *testing.B) { load(b, startProxy(b, startBare(b))+"/hello?name=anyfaas") })
	b.Run("server=anyfaas-dev", func(b *testing.B) {
		_, url := startDev(b, dir, false)
		load(b, url+"/hello?name=anyfaas")
	})
	b.Run("server=anyfaas-dev-proxied", func(b *testing.B) {
		_, url := startDev(b, dir, true)
		load(b, url+"/hello?name=anyfaas")
	})
}

// load sends b.N requests to url from devClients clients at once.
func load(b *testing.B, url string) {
	tr := &http.Transport{MaxIdleConnsPerHost: devClients, MaxConnsPerHost: devClients, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	get := func() error {
		resp, err := client.Get(url)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		return err
	}
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		failOnce sync.Once
		failed   error
	)
	work := func(n int64) {
		for next.Add(1) <= n {
			if err := get(); err != nil {
				failOnce.Do(func() { failed = err })
				return
			}
		}
	}
	for range devClients { // open the connections
		wg.Go(func() { work(devClients) })
	}
	wg.Wait()
	next.Store(0)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for range devClients {
		wg.Go(func() { work(int64(b.N)) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if failed != nil {
		b.Fatal(failed)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
}

// BenchmarkDevRebuild is issue 6, target 6's rebuild: a change saved to
// examples/hello's main.go, then either a bare go build of the program
// (gobuild; gobuild-anyfaas-flags with the flags anyfaas dev builds with,
// which strip the binary and link faster), or anyfaas dev's rebuild (Server.Rebuild: the build for the
// platform, the unit's description, its new process under the emulator,
// the old one's stop) and the first request the new build answers
// (anyfaas-dev). The dev server's wait for the save to be noticed (its
// poll, 300 ms by default) is not counted.
func BenchmarkDevRebuild(b *testing.B) {
	dir, err := devProject()
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for _, gb := range []struct {
		name  string
		flags []string
	}{
		{"gobuild", nil},
		// The flags anyfaas dev builds with (artifact.Build's).
		{"gobuild-anyfaas-flags", []string{"-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid=", "-tags=faas_web"}},
	} {
		b.Run("build="+gb.name, func(b *testing.B) {
			bin := filepath.Join(tmpRoot(), "devhello-bin")
			build := func() {
				n++
				save(b, dir, n)
				cmd := exec.Command("go", append(append([]string{"build"}, gb.flags...), "-o", bin, ".")...)
				cmd.Dir = dir
				cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("go build: %v\n%s", err, out)
				}
			}
			build() // the dependencies are compiled once, as on a developer's machine
			for b.Loop() {
				build()
			}
		})
	}
	b.Run("build=anyfaas-dev", func(b *testing.B) {
		srv, url := startDev(b, dir, false)
		ctx := context.Background()
		for b.Loop() {
			n++
			save(b, dir, n)
			if err := srv.Rebuild(ctx); err != nil {
				b.Fatal(err)
			}
			waitServing(b, url)
		}
	})
}
