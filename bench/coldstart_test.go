package bench

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/anyfaas/faas/artifact"
	"github.com/anyfaas/faas/emulator"
	awsemu "github.com/anyfaas/faas/emulator/aws"
)

// tmpRoot holds what the benchmarks build; TestMain removes it.
var tmpRoot = sync.OnceValue(func() string {
	dir, err := os.MkdirTemp("", "anyfaas-bench-")
	if err != nil {
		panic(err)
	}
	return dir
})

func TestMain(m *testing.M) {
	code := m.Run()
	os.RemoveAll(tmpRoot())
	os.Exit(code)
}

// lambdaBinaries are the binaries target 4 compares, built once:
//
//   - plain: testdata/plainhello, examples/hello's hello function as a
//     plain aws-lambda-go handler, built with the flags anyfaas builds
//     Lambda binaries with (artifact.Build's: CGO_ENABLED=0, -trimpath,
//     -ldflags="-s -w -buildid=", -tags=lambda.norpc);
//   - hello: examples/hello, built by artifact.Build for aws, as anyfaas
//     package builds it (the same flags, and -tags=faas_aws);
//   - agg1 and agg20: testdata/agg1 and testdata/agg20, units of 1 and 20
//     functions, built the same way.
//
// They are built for this machine (artifact.BuildOptions.Native), which is
// linux/amd64 or linux/arm64 on the machines the results come from.
type lambdaBinaries struct {
	plain, hello, loghello, agg1, agg20 string
}

var buildLambda = sync.OnceValues(func() (lambdaBinaries, error) {
	var bins lambdaBinaries
	dir := filepath.Join(tmpRoot(), "lambda")
	bench, err := filepath.Abs(".")
	if err != nil {
		return bins, err
	}
	ctx := context.Background()
	bins.plain = filepath.Join(dir, "plain", "bootstrap")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid=",
		"-tags=lambda.norpc", "-o", bins.plain, "./testdata/plainhello")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return bins, &artifact.BuildError{Main: "./testdata/plainhello", Output: out.String(), Err: err}
	}
	build := func(root, main, name string) (string, error) {
		return artifact.Build(ctx, artifact.BuildOptions{
			Target: artifact.NativeTarget("aws"), Dir: root, Main: main,
			Output: filepath.Join(dir, name, "bootstrap"), Native: true,
		})
	}
	if bins.hello, err = build(filepath.Dir(bench), "./examples/hello", "hello"); err != nil {
		return bins, err
	}
	if bins.loghello, err = build(bench, "./testdata/loghello", "loghello"); err != nil {
		return bins, err
	}
	if bins.agg1, err = build(bench, "./testdata/agg1", "agg1"); err != nil {
		return bins, err
	}
	bins.agg20, err = build(bench, "./testdata/agg20", "agg20")
	return bins, err
})

func lambdaBins(b *testing.B) lambdaBinaries {
	b.Helper()
	bins, err := buildLambda()
	if err != nil {
		b.Fatal(err)
	}
	return bins
}

// BenchmarkBinarySize is issue 6, target 4's sizes: the size of each
// binary of lambdaBinaries, as the metric "bytes" (the time is
// meaningless, and left out).
func BenchmarkBinarySize(b *testing.B) {
	bins := lambdaBins(b)
	for _, bin := range []struct{ name, path string }{
		{"plain-hello", bins.plain}, {"anyfaas-hello", bins.hello},
		{"anyfaas-1fn", bins.agg1}, {"anyfaas-20fn", bins.agg20},
	} {
		b.Run("bin="+bin.name, func(b *testing.B) {
			fi, err := os.Stat(bin.path)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
			}
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(float64(fi.Size()), "bytes")
		})
	}
}

// BenchmarkColdStart is issue 6, target 4's cold start: from exec to the
// first response under the Lambda emulator (emulator/aws), a fresh process
// each iteration: Start (exec, the runtime's init, its first
// /runtime/invocation/next) and the first Invoke of the API Gateway GET
// sample. Closing the emulator is not timed.
func BenchmarkColdStart(b *testing.B) {
	bins := lambdaBins(b)
	payload := awsEvent(b, false)
	for _, bin := range []struct{ name, path string }{{"plain", bins.plain}, {"anyfaas", bins.hello}} {
		b.Run("bin="+bin.name, func(b *testing.B) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			for b.Loop() {
				e := awsemu.New(emulator.Function{Name: "hello", Binary: bin.path, Dir: filepath.Dir(bin.path)})
				if err := e.Start(ctx); err != nil {
					b.Fatal(err)
				}
				res, err := e.Invoke(ctx, payload)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if res.Error != nil {
					b.Fatalf("%s: %v", bin.name, res.Error)
				}
				checkReply(b, res.Payload, false)
				if err := e.Close(ctx); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}

// BenchmarkWarmInvoke is an invocation as Lambda makes it, under
// emulator/aws: the event posted to the Runtime API, taken by the running
// function with GET /next, and its answer posted back; the binaries of
// BenchmarkColdStart, started once, and examples/hello's hello function
// with the logging layer writing its line to standard error, a pipe the
// emulator reads (issue 6, target 5, over a whole invocation).
func BenchmarkWarmInvoke(b *testing.B) {
	bins := lambdaBins(b)
	payload := awsEvent(b, false)
	for _, bin := range []struct{ name, path string }{{"plain", bins.plain}, {"anyfaas", bins.hello}, {"anyfaas-logging", bins.loghello}} {
		b.Run("bin="+bin.name, func(b *testing.B) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			e := awsemu.New(emulator.Function{Name: "hello", Binary: bin.path, Dir: filepath.Dir(bin.path), Log: io.Discard})
			if err := e.Start(ctx); err != nil {
				b.Fatal(err)
			}
			defer e.Close(ctx)
			b.ReportAllocs()
			for b.Loop() {
				res, err := e.Invoke(ctx, payload)
				if err != nil {
					b.Fatal(err)
				}
				if res.Error != nil {
					b.Fatalf("%s: %v", bin.name, res.Error)
				}
			}
			res, err := e.Invoke(ctx, payload)
			if err != nil {
				b.Fatal(err)
			}
			checkReply(b, res.Payload, false)
		})
	}
}
