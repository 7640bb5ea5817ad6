package artifact_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/artifact"
)

// builds numbers the binaries BenchmarkZip zips, across its runs.
var builds atomic.Uint64

// BenchmarkZip packages units of one binary for SCF as the CLI does, one
// Zip of Layout per unit. The binary is this test's own executable, a real
// Go binary, changed in its last bytes on every iteration as a new build
// would be, so that each iteration zips a binary no earlier one has seen.
func BenchmarkZip(b *testing.B) {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(exe)
	if err != nil {
		b.Fatal(err)
	}
	for _, units := range []int{1, 4} {
		b.Run(fmt.Sprintf("units=%d", units), func(b *testing.B) {
			bin := slices.Clone(data)
			manifests := make([]*faas.Manifest, units)
			for i := range manifests {
				manifests[i] = &faas.Manifest{Unit: fmt.Sprintf("unit%d", i), Platform: "scf"}
			}
			b.SetBytes(int64(len(bin) * units))
			b.ReportAllocs()
			for b.Loop() {
				binary.LittleEndian.PutUint64(bin[len(bin)-8:], builds.Add(1))
				for _, m := range manifests {
					var buf bytes.Buffer
					if err := artifact.Zip(&buf, artifact.Layout("scf", bin, m)); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(len(bin)), "binary-bytes")
		})
	}
}
