package artifact_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/artifact"
)

// zipEntry is what a test checks of a zip entry.
type zipEntry struct {
	Name     string
	Mode     fs.FileMode
	Method   uint16
	Modified time.Time
	Data     string
}

// readZip returns a zip's entries in order.
func readZip(t *testing.T, data []byte) []zipEntry {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("reading the zip: %v", err)
	}
	var entries []zipEntry
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		content, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if f.CreatorVersion>>8 != 3 {
			t.Errorf("%s: made by %d, want 3 (Unix), or its mode is lost", f.Name, f.CreatorVersion>>8)
		}
		entries = append(entries, zipEntry{Name: f.Name, Mode: f.Mode(), Method: f.Method, Modified: f.Modified.UTC(), Data: string(content)})
	}
	return entries
}

var zipEpoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

func TestZip(t *testing.T) {
	tests := []struct {
		name  string
		files []artifact.File
		want  []zipEntry
	}{{
		name: "sorted by name, modes kept, zero mode is 0644",
		files: []artifact.File{
			{Name: "main", Mode: 0o755, Data: []byte("\x7fELF")},
			{Name: "faas.json", Mode: 0o644, Data: []byte(`{"unit":"u"}`)},
			{Name: "conf/app.yml", Data: []byte("a: 1\n")},
			{Name: "scf_bootstrap", Mode: 0o755, Data: []byte("#!/bin/bash\n")},
			{Name: "secret", Mode: 0o600, Data: []byte("s")},
		},
		want: []zipEntry{
			{Name: "conf/app.yml", Mode: 0o644, Method: zip.Deflate, Modified: zipEpoch, Data: "a: 1\n"},
			{Name: "faas.json", Mode: 0o644, Method: zip.Deflate, Modified: zipEpoch, Data: `{"unit":"u"}`},
			{Name: "main", Mode: 0o755, Method: zip.Deflate, Modified: zipEpoch, Data: "\x7fELF"},
			{Name: "scf_bootstrap", Mode: 0o755, Method: zip.Deflate, Modified: zipEpoch, Data: "#!/bin/bash\n"},
			{Name: "secret", Mode: 0o600, Method: zip.Deflate, Modified: zipEpoch, Data: "s"},
		},
	}, {
		name:  "an empty file",
		files: []artifact.File{{Name: "empty", Mode: 0o644}},
		want:  []zipEntry{{Name: "empty", Mode: 0o644, Method: zip.Deflate, Modified: zipEpoch}},
	}, {
		name: "no file",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := artifact.Zip(&buf, tt.files); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, readZip(t, buf.Bytes())); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
			// The same files, in any order, give the same bytes.
			reversed := slices.Clone(tt.files)
			slices.Reverse(reversed)
			var again bytes.Buffer
			if err := artifact.Zip(&again, reversed); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), again.Bytes()) {
				t.Error("the same files in another order gave other bytes")
			}
		})
	}
}

func TestZipErrors(t *testing.T) {
	tests := []struct {
		name  string
		files []artifact.File
		want  string
	}{
		{"the same name twice", []artifact.File{{Name: "main"}, {Name: "a"}, {Name: "main"}}, "main is given twice"},
		{"an empty name", []artifact.File{{Name: ""}}, `""`},
		{"an absolute name", []artifact.File{{Name: "/main"}}, `"/main"`},
		{"a name out of the root", []artifact.File{{Name: "a/../../main"}}, `"a/../../main"`},
		{"a backslash", []artifact.File{{Name: `conf\app.yml`}}, `"conf\\app.yml"`},
		{"a directory", []artifact.File{{Name: "conf", Mode: fs.ModeDir | 0o755}}, "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := artifact.Zip(&buf, tt.files)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("Zip wrote %d bytes before failing", buf.Len())
			}
		})
	}
}

func TestLayout(t *testing.T) {
	m := &faas.Manifest{Unit: "orders", Functions: []faas.ManifestFunction{{Name: "list", Handler: "list"}}}
	bin := []byte("\x7fELF binary")
	tests := []struct {
		platform string
		manifest *faas.Manifest
		want     []zipEntry // faas.json's Data is checked apart
	}{
		{"aws", m, []zipEntry{{Name: "bootstrap", Mode: 0o755}, {Name: "faas.json", Mode: 0o644}}},
		{"fc", m, []zipEntry{{Name: "bootstrap", Mode: 0o755, Data: artifact.FcBootstrap}, {Name: "faas.json", Mode: 0o644}, {Name: "main", Mode: 0o755}}},
		// An event function's: the Go1 runtime runs main, no scf_bootstrap.
		{"scf", m, []zipEntry{{Name: "faas.json", Mode: 0o644}, {Name: "main", Mode: 0o755}}},
		{"gcf", m, []zipEntry{{Name: "bootstrap", Mode: 0o755}, {Name: "faas.json", Mode: 0o644}}},
		{"web", m, []zipEntry{{Name: "bootstrap", Mode: 0o755}, {Name: "faas.json", Mode: 0o644}}},
		{"aws", nil, []zipEntry{{Name: "bootstrap", Mode: 0o755}}},
	}
	for _, tt := range tests {
		t.Run(tt.platform, func(t *testing.T) {
			files := artifact.Layout(tt.platform, bin, tt.manifest)
			var got []zipEntry
			for _, f := range files {
				e := zipEntry{Name: f.Name, Mode: f.Mode, Data: string(f.Data)}
				switch f.Name {
				case artifact.Executable(tt.platform):
					if !bytes.Equal(f.Data, bin) {
						t.Errorf("%s holds %q, want the binary", f.Name, f.Data)
					}
					e.Data = ""
				case faas.ManifestFile:
					var back faas.Manifest
					dec := json.NewDecoder(bytes.NewReader(f.Data))
					dec.DisallowUnknownFields()
					if err := dec.Decode(&back); err != nil {
						t.Fatalf("faas.json: %v\n%s", err, f.Data)
					}
					if diff := cmp.Diff(tt.manifest, &back); diff != "" {
						t.Errorf("faas.json (-want +got):\n%s", diff)
					}
					if !bytes.HasPrefix(f.Data, []byte("{\n  \"unit\"")) || !bytes.HasSuffix(f.Data, []byte("}\n")) {
						t.Errorf("faas.json is not indented JSON ending in a newline:\n%s", f.Data)
					}
					e.Data = ""
				}
				got = append(got, e)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
		})
	}
}

// The manifest Layout writes is the one the App reads beside its
// executable.
func TestLayoutManifestReadable(t *testing.T) {
	m := &faas.Manifest{Unit: "u", Platform: "aws", Functions: []faas.ManifestFunction{
		{Name: "f", Handler: "h", Layers: []string{"auth"}, Triggers: []faas.TriggerSpec{{Trigger: "timer", Schedule: "@every 5m"}}},
	}}
	dir := t.TempDir()
	for _, f := range artifact.Layout("aws", []byte("bin"), m) {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, f.Mode); err != nil {
			t.Fatal(err)
		}
	}
	got, err := faas.ReadManifest(filepath.Join(dir, faas.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m, got); diff != "" {
		t.Errorf("ReadManifest (-want +got):\n%s", diff)
	}
}

func TestScfBootstrap(t *testing.T) {
	tests := []struct {
		name string
		ok   func(string) bool
	}{
		{"starts with #!/bin/bash, as SCF asks", func(s string) bool { return strings.HasPrefix(s, "#!/bin/bash\n") }},
		{"has LF line ends only", func(s string) bool { return !strings.Contains(s, "\r") && strings.HasSuffix(s, "\n") }},
		{"execs main beside it", func(s string) bool { return strings.Contains(s, `exec "$(dirname "$0")/main"`) }},
	}
	for _, tt := range tests {
		if !tt.ok(artifact.ScfBootstrap) {
			t.Errorf("scf_bootstrap %s: it does not:\n%s", tt.name, artifact.ScfBootstrap)
		}
	}
}

// TestScfBootstrapFile checks the file a web function's files add.
func TestScfBootstrapFile(t *testing.T) {
	f := artifact.ScfBootstrapFile()
	if f.Name != "scf_bootstrap" || f.Mode != 0o755 || string(f.Data) != artifact.ScfBootstrap {
		t.Errorf("ScfBootstrapFile() = %s, mode %v, %q", f.Name, f.Mode, f.Data)
	}
}
