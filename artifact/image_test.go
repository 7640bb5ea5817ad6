package artifact_test

import (
	"archive/tar"
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/x509roots/fallback/bundle"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/artifact"
)

var unixEpoch = time.Unix(0, 0).UTC()

// reg and dir are the layer entries the tests expect: owned by root with no
// user names, dated the Unix epoch.
func reg(name string, mode int64, data string) tarEntry {
	return tarEntry{Name: name, Type: tar.TypeReg, Mode: mode, ModTime: unixEpoch, Size: int64(len(data)), Data: data}
}

func dir(name string) tarEntry {
	return tarEntry{Name: name, Type: tar.TypeDir, Mode: 0o755, ModTime: unixEpoch}
}

// caFile is where every image holds its CA bundle.
const caFile = "etc/ssl/certs/ca-certificates.crt"

// caDirs, ca and tmp are the entries every image's layer has: the CA
// bundle in its directories (its Data is checked apart, by checkCABundle)
// and /tmp, mode 1777.
var (
	caDirs = []tarEntry{dir("etc/"), dir("etc/ssl/"), dir("etc/ssl/certs/")}
	ca     = reg(caFile, 0o644, "")
	tmp    = tarEntry{Name: "tmp/", Type: tar.TypeDir, Mode: 0o1777, ModTime: unixEpoch}
)

// layer returns the entries of a layer: bootstrap, the CA bundle, more
// entries, and faas.json and tmp.
func layer(bootstrap string, more ...tarEntry) []tarEntry {
	entries := append([]tarEntry{reg("bootstrap", 0o755, bootstrap)}, caDirs...)
	entries = append(entries, ca)
	return append(append(entries, more...), reg("faas.json", 0o644, ""), tmp)
}

func TestImage(t *testing.T) {
	unit := &faas.Manifest{Unit: "api", Platform: "web", Functions: []faas.ManifestFunction{
		{Name: "hello", Handler: "hello", Triggers: []faas.TriggerSpec{{Trigger: "http", Route: "GET /hello"}}},
	}}
	tests := []struct {
		name string
		opts artifact.ImageOptions
		// what the image should hold
		arch, port, refName string
		env                 []string
		repoTags            []string
		layer               []tarEntry // faas.json's Data is checked apart
		manifest            *faas.Manifest
	}{{
		name: "web image with a manifest, an environment and a name",
		opts: artifact.ImageOptions{
			Target: artifact.Target{Platform: "web", Arch: "amd64"}, Binary: []byte("\x7fELF web"),
			Manifest: unit, Env: []string{"LOG_LEVEL=debug"}, Name: "registry.example.com/shop/api:v1",
		},
		arch: "amd64", port: "8080/tcp", refName: "v1",
		env:      []string{"FAAS_PLATFORM=web", "LOG_LEVEL=debug"},
		repoTags: []string{"registry.example.com/shop/api:v1"},
		layer:    layer("\x7fELF web"),
		manifest: unit,
	}, {
		name: "gcf image on arm64 without a name",
		opts: artifact.ImageOptions{
			Target: artifact.Target{Platform: "gcf", Arch: "arm64"}, Binary: []byte("\x7fELF gcf"), Manifest: unit,
		},
		arch: "arm64", port: "8080/tcp", refName: "latest",
		env:      []string{"FAAS_PLATFORM=gcf"},
		repoTags: []string{},
		layer:    layer("\x7fELF gcf"),
		manifest: unit,
	}, {
		name: "web image with files in /tmp and beside it",
		opts: artifact.ImageOptions{
			Target: artifact.Target{Platform: "web", Arch: "arm64"}, Binary: []byte("\x7fELF web"), Manifest: unit,
			Files: []artifact.File{{Name: "tmp/cache/seed", Data: []byte("s")}, {Name: "tmp-data/x", Data: []byte("x")}, {Name: "tm", Data: []byte("t")}},
		},
		arch: "arm64", port: "8080/tcp", refName: "latest",
		env:      []string{"FAAS_PLATFORM=web"},
		repoTags: []string{},
		layer: []tarEntry{
			reg("bootstrap", 0o755, "\x7fELF web"), caDirs[0], caDirs[1], caDirs[2], ca, reg("faas.json", 0o644, ""),
			reg("tm", 0o644, "t"), tmp, dir("tmp-data/"), reg("tmp-data/x", 0o644, "x"), dir("tmp/cache/"), reg("tmp/cache/seed", 0o644, "s"),
		},
		manifest: unit,
	}, {
		name: "fc image with more files, its own CA bundle, its own FAAS_PLATFORM and no manifest",
		opts: artifact.ImageOptions{
			Target: artifact.Target{Platform: "fc", Arch: "amd64"}, Binary: []byte("\x7fELF fc"),
			Env:   []string{"TZ=UTC", "FAAS_PLATFORM=web"},
			Files: []artifact.File{{Name: "etc/ssl/certs/ca-certificates.crt", Data: []byte("PEM")}, {Name: "etc/motd", Mode: 0o600, Data: []byte("hi")}},
			Name:  "localhost:5000/fc-api",
		},
		arch: "amd64", port: "9000/tcp", refName: "latest",
		env:      []string{"TZ=UTC", "FAAS_PLATFORM=web"},
		repoTags: []string{"localhost:5000/fc-api:latest"},
		layer: []tarEntry{
			reg("bootstrap", 0o755, "\x7fELF fc"),
			dir("etc/"), reg("etc/motd", 0o600, "hi"),
			dir("etc/ssl/"), dir("etc/ssl/certs/"), reg("etc/ssl/certs/ca-certificates.crt", 0o644, "PEM"),
			tmp,
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var archive bytes.Buffer
			desc, err := artifact.WriteTar(&archive, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var again bytes.Buffer
			if _, err := artifact.WriteTar(&again, tt.opts); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(archive.Bytes(), again.Bytes()) {
				t.Error("WriteTar wrote different bytes for the same options")
			}
			layoutDir := filepath.Join(t.TempDir(), "layout")
			layoutDesc, err := artifact.WriteLayout(layoutDir, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(desc, layoutDesc); diff != "" {
				t.Errorf("WriteLayout and WriteTar describe different manifests (-tar +layout):\n%s", diff)
			}
			files := tarFiles(t, archive.Bytes())
			if diff := cmp.Diff(files, dirFiles(t, layoutDir)); diff != "" {
				t.Errorf("the tar and the layout directory hold different files (-tar +layout):\n%s", diff)
			}

			img := checkImage(t, files)
			wantDesc := descriptor{
				MediaType: artifact.MediaTypeManifest, Digest: desc.Digest, Size: desc.Size,
				Platform:    map[string]string{"architecture": tt.arch, "os": "linux"},
				Annotations: map[string]string{artifact.AnnotationRefName: tt.refName},
			}
			if diff := cmp.Diff(wantDesc, img.Manifest); diff != "" {
				t.Errorf("index.json's manifest (-want +got):\n%s", diff)
			}
			var want config
			want.Created, want.Architecture, want.OS = "1970-01-01T00:00:00Z", tt.arch, "linux"
			want.Config.Env, want.Config.Entrypoint = tt.env, []string{"/bootstrap"}
			want.Config.ExposedPorts = map[string]map[string]any{tt.port: {}}
			want.RootFS = img.Config.RootFS // checked by checkImage
			if diff := cmp.Diff(want, img.Config); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.repoTags, img.Docker[0].RepoTags); diff != "" {
				t.Errorf("manifest.json RepoTags (-want +got):\n%s", diff)
			}

			layer := img.Layer
			for i, e := range layer {
				if e.Name == caFile && e.Data != "PEM" {
					checkCABundle(t, []byte(e.Data))
					layer[i].Data, layer[i].Size = "", 0
				}
				if e.Name == faas.ManifestFile {
					var got faas.Manifest
					dec := json.NewDecoder(strings.NewReader(e.Data))
					dec.DisallowUnknownFields()
					if err := dec.Decode(&got); err != nil {
						t.Fatalf("faas.json: %v", err)
					}
					if diff := cmp.Diff(tt.manifest, &got); diff != "" {
						t.Errorf("faas.json (-want +got):\n%s", diff)
					}
					layer[i].Data, layer[i].Size = "", 0
				}
			}
			if diff := cmp.Diff(tt.layer, layer); diff != "" {
				t.Errorf("layer entries (-want +got):\n%s", diff)
			}

			// The archive itself is as reproducible as its layer.
			var names []string
			for _, e := range readTar(t, archive.Bytes()) {
				names = append(names, e.Name)
				if e.UID != 0 || e.GID != 0 || e.Uname != "" || e.Gname != "" || !e.ModTime.Equal(unixEpoch) || e.AccessOrChange || len(e.PAXRecords) != 0 {
					t.Errorf("archive entry %s: uid %d gid %d uname %q gname %q mtime %v pax %v; want root, no names, the epoch",
						e.Name, e.UID, e.GID, e.Uname, e.Gname, e.ModTime, e.PAXRecords)
				}
			}
			wantNames := []string{"oci-layout", "index.json", "manifest.json", "blobs/", "blobs/sha256/"}
			if len(names) != len(wantNames)+3 || !cmp.Equal(names[:len(wantNames)], wantNames) {
				t.Errorf("archive entries %v, want %v and three blobs", names, wantNames)
			}
		})
	}
}

// The same binary and options give the same digest; any change of what
// the image holds or how it runs gives another.
func TestImageDigest(t *testing.T) {
	base := artifact.ImageOptions{Target: artifact.Target{Platform: "web", Arch: "amd64"}, Binary: []byte("bin"), Name: "api:v1"}
	digestOf := func(o artifact.ImageOptions) string {
		t.Helper()
		var buf bytes.Buffer
		d, err := artifact.WriteTar(&buf, o)
		if err != nil {
			t.Fatal(err)
		}
		return d.Digest
	}
	want := digestOf(base)
	tests := []struct {
		name   string
		change func(*artifact.ImageOptions)
		same   bool
	}{
		{"same options", func(*artifact.ImageOptions) {}, true},
		{"same binary in another slice", func(o *artifact.ImageOptions) { o.Binary = []byte(string(o.Binary)) }, true},
		{"another name", func(o *artifact.ImageOptions) { o.Name = "other:v1" }, true}, // names live in index.json only
		{"another tag", func(o *artifact.ImageOptions) { o.Name = "api:v2" }, true},
		{"another binary", func(o *artifact.ImageOptions) { o.Binary = []byte("bin2") }, false},
		{"another architecture", func(o *artifact.ImageOptions) { o.Target.Arch = "arm64" }, false},
		{"another platform", func(o *artifact.ImageOptions) { o.Target.Platform = "gcf" }, false},
		{"an environment", func(o *artifact.ImageOptions) { o.Env = []string{"A=b"} }, false},
		{"a manifest", func(o *artifact.ImageOptions) { o.Manifest = &faas.Manifest{Unit: "u"} }, false},
		{"its own CA bundle", func(o *artifact.ImageOptions) {
			o.Files = []artifact.File{{Name: "etc/ssl/certs/ca-certificates.crt", Data: []byte("PEM")}}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := base
			tt.change(&o)
			if got := digestOf(o); (got == want) != tt.same {
				t.Errorf("digest %s, base %s: same = %v, want %v", got, want, got == want, tt.same)
			}
		})
	}
}

func TestImageErrors(t *testing.T) {
	ok := artifact.ImageOptions{Target: artifact.Target{Platform: "web", Arch: "amd64"}, Binary: []byte("bin")}
	tests := []struct {
		name   string
		change func(*artifact.ImageOptions)
		want   string // in the error
	}{
		{"unknown platform", func(o *artifact.ImageOptions) { o.Target.Platform = "lambda" }, `platform "lambda"`},
		{"unknown architecture", func(o *artifact.ImageOptions) { o.Target.Arch = "386" }, `architecture "386"`},
		{"no binary", func(o *artifact.ImageOptions) { o.Binary = nil }, "no binary"},
		{"upper-case repository", func(o *artifact.ImageOptions) { o.Name = "Shop/API" }, `image name "Shop/API"`},
		{"a digest for a name", func(o *artifact.ImageOptions) { o.Name = "api@sha256:" + strings.Repeat("0", 64) }, "image name"},
		{"an empty tag", func(o *artifact.ImageOptions) { o.Name = "api:" }, "image name"},
		{"environment without =", func(o *artifact.ImageOptions) { o.Env = []string{"DEBUG"} }, `"DEBUG" is not KEY=value`},
		{"environment without a name", func(o *artifact.ImageOptions) { o.Env = []string{"=1"} }, `"=1" is not KEY=value`},
		{"a second bootstrap", func(o *artifact.ImageOptions) { o.Files = []artifact.File{{Name: "bootstrap"}} }, "bootstrap is given twice"},
		{"a second faas.json", func(o *artifact.ImageOptions) {
			o.Manifest, o.Files = &faas.Manifest{}, []artifact.File{{Name: "faas.json"}}
		}, "faas.json is given twice"},
		{"a file that is a directory too", func(o *artifact.ImageOptions) {
			o.Files = []artifact.File{{Name: "etc"}, {Name: "etc/hosts"}}
		}, "etc is a file and the directory of etc/hosts"},
		{"a file named tmp", func(o *artifact.ImageOptions) { o.Files = []artifact.File{{Name: "tmp"}} }, "tmp is a file, but the image's /tmp is a directory"},
		{"a path out of the root", func(o *artifact.ImageOptions) { o.Files = []artifact.File{{Name: "../x"}} }, `"../x"`},
		{"an absolute path", func(o *artifact.ImageOptions) { o.Files = []artifact.File{{Name: "/etc/x"}} }, `"/etc/x"`},
		{"a symlink", func(o *artifact.ImageOptions) {
			o.Files = []artifact.File{{Name: "x", Mode: os.ModeSymlink | 0o777}}
		}, "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok
			tt.change(&o)
			var buf bytes.Buffer
			_, err := artifact.WriteTar(&buf, o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("WriteTar: error %v, want one containing %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("WriteTar wrote %d bytes before failing", buf.Len())
			}
			dir := filepath.Join(t.TempDir(), "layout")
			_, err = artifact.WriteLayout(dir, o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("WriteLayout: error %v, want one containing %q", err, tt.want)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("WriteLayout made %s before failing", dir)
			}
		})
	}
}

// checkCABundle checks an image's CA bundle: PEM certificates only, each
// of them a root of Mozilla's that golang.org/x/crypto/x509roots/fallback
// trusts without constraint, all of those, in the bundle's order.
func checkCABundle(t *testing.T, data []byte) {
	t.Helper()
	var want [][]byte
	for root := range bundle.Roots() {
		if root.Constraint == nil {
			want = append(want, root.Certificate)
		}
	}
	var got [][]byte
	for rest := data; len(bytes.TrimSpace(rest)) > 0; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil || block.Type != "CERTIFICATE" || len(block.Headers) != 0 {
			t.Fatalf("CA bundle: not a PEM certificate at %.40q", rest)
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			t.Errorf("CA bundle: certificate %d: %v", len(got), err)
		}
		got = append(got, block.Bytes)
	}
	if len(want) < 100 {
		t.Fatalf("the x509roots bundle has %d unconstrained roots; that is not Mozilla's store", len(want))
	}
	if !slices.EqualFunc(want, got, bytes.Equal) {
		i := 0
		for i < min(len(want), len(got)) && bytes.Equal(want[i], got[i]) {
			i++
		}
		t.Errorf("CA bundle: %d certificates, want %d; the first that differs is number %d", len(got), len(want), i)
	}
	if pool := x509.NewCertPool(); !pool.AppendCertsFromPEM(data) {
		t.Error("crypto/x509 reads no certificate from the CA bundle")
	}
}

// The layer's /tmp is what a Go program in the container sees: a
// directory, mode 1777 with the sticky bit; and its CA bundle is what
// crypto/x509 reads first on linux.
func TestImageSystemFiles(t *testing.T) {
	var archive bytes.Buffer
	if _, err := artifact.WriteTar(&archive, artifact.ImageOptions{Target: artifact.Target{Platform: "gcf", Arch: "amd64"}, Binary: []byte("bin")}); err != nil {
		t.Fatal(err)
	}
	img := checkImage(t, tarFiles(t, archive.Bytes()))
	got := map[string]fs.FileMode{}
	for _, e := range img.Layer {
		h := tar.Header{Name: e.Name, Typeflag: e.Type, Mode: e.Mode}
		got[e.Name] = h.FileInfo().Mode()
		if e.Name == caFile {
			checkCABundle(t, []byte(e.Data))
		}
	}
	want := map[string]fs.FileMode{
		"bootstrap":      0o755,
		"etc/":           fs.ModeDir | 0o755,
		"etc/ssl/":       fs.ModeDir | 0o755,
		"etc/ssl/certs/": fs.ModeDir | 0o755,
		caFile:           0o644,
		"tmp/":           fs.ModeDir | fs.ModeSticky | 0o777,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("layer modes (-want +got):\n%s", diff)
	}
}
