package artifact_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/artifact"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fakeBinary returns n bytes that compress about as a Go binary does: runs
// of random bytes between repeated words, the same for the same seed.
func fakeBinary(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	words := []string{"runtime.", "github.com/anyfaas/faas.", "\x00\x00\x00\x00", "main.", "net/http.", "\x48\x89\xe5"}
	var b bytes.Buffer
	for b.Len() < n {
		if r.IntN(3) == 0 {
			for range r.IntN(32) {
				b.WriteByte(byte(r.Uint32()))
			}
		} else {
			b.WriteString(words[r.IntN(len(words))])
		}
	}
	return b.Bytes()[:n]
}

// TestZipGolden pins the bytes Zip writes: the digests in
// testdata/zip.golden were taken before Zip reused the compressed bytes of
// a binary, so that reuse is proven to change nothing. Run with -update
// to rewrite them after a deliberate change of the format.
func TestZipGolden(t *testing.T) {
	bin := fakeBinary(1, 1<<20)
	m := &faas.Manifest{Unit: "orders", Functions: []faas.ManifestFunction{{Name: "list", Handler: "list"}}}
	extra := []artifact.File{
		{Name: "conf/app.yml", Data: []byte("a: 1\n")},
		{Name: "conf/empty"},
		{Name: "données/café.txt", Mode: 0o600, Data: []byte("une tasse")}, // a name that sets the UTF-8 flag
		{Name: "copy/of/main", Mode: 0o755, Data: bin},                     // the binary's content twice in one zip
		{Name: "other.bin", Data: fakeBinary(2, 300<<10)},
	}
	tests := []struct {
		name  string
		files []artifact.File
	}{
		{"aws", artifact.Layout("aws", bin, m)},
		{"fc", artifact.Layout("fc", bin, m)},
		{"scf", artifact.Layout("scf", bin, m)},
		{"scf-no-manifest", artifact.Layout("scf", bin, nil)},
		{"aws-extra", append(artifact.Layout("aws", bin, m), extra...)},
		{"small-only", extra[:3]},
		{"empty", nil},
	}
	var got strings.Builder
	for _, tt := range tests {
		// Twice, so that the second zip of each case may reuse what the
		// first compressed: both must be the same bytes.
		var first []byte
		for i := range 2 {
			var buf bytes.Buffer
			if err := artifact.Zip(&buf, tt.files); err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if i == 0 {
				first = buf.Bytes()
				continue
			}
			if !bytes.Equal(first, buf.Bytes()) {
				t.Errorf("%s: zipping the same files again gave other bytes", tt.name)
			}
		}
		readZip(t, first) // a valid zip, with Unix modes
		sum := sha256.Sum256(first)
		fmt.Fprintf(&got, "%s %s %d\n", tt.name, hex.EncodeToString(sum[:]), len(first))
	}
	golden := filepath.Join("testdata", "zip.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if diff := cmp.Diff(string(want), got.String()); diff != "" {
		t.Errorf("zip digests (-%s +got):\n%s", golden, diff)
	}
}
