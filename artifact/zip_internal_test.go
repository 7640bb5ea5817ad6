package artifact

import (
	"archive/zip"
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
)

// content returns n bytes, different for each seed, that deflate to
// about a tenth of n.
func content(seed byte, n int) []byte {
	b := bytes.Repeat([]byte("anyfaas bootstrap "), n/18+1)[:n]
	for i := 0; i < n; i += 97 {
		b[i] = seed + byte(i/97)
	}
	return b
}

// referenceZip is what Zip wrote before it reused deflated bytes:
// archive/zip deflating every entry itself.
func referenceZip(t *testing.T, files []File) []byte {
	t.Helper()
	sorted, err := sortFiles(files)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range sorted {
		h := &zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: zipEpoch}
		h.SetMode(f.perm())
		fw, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(f.Data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDeflateCache(t *testing.T) {
	a, b, c := content(1, 200<<10), content(2, 300<<10), content(3, 100<<10)
	size := func(data []byte) int { return cap(deflate(data)) }
	units := func(bin []byte, n int) [][]File {
		var zips [][]File
		for i := range n {
			zips = append(zips, Layout(faas.PlatformSCF, bin, &faas.Manifest{Unit: fmt.Sprint("u", i)}))
		}
		return zips
	}
	concat := func(lists ...[][]File) [][]File {
		var out [][]File
		for _, l := range lists {
			out = append(out, l...)
		}
		return out
	}
	tests := []struct {
		name string
		max  int      // bytes the cache may hold
		zips [][]File // zipped in this order
		// what the cache did
		deflations int
		cached     int // entries
	}{{
		name: "four units of one binary deflate it once",
		max:  maxCachedDeflated, zips: units(a, 4),
		deflations: 1, cached: 1,
	}, {
		name: "two binaries, twice each",
		max:  maxCachedDeflated, zips: concat(units(a, 2), units(b, 2), units(a, 1)),
		deflations: 2, cached: 2,
	}, {
		name: "the same content twice in one zip",
		max:  maxCachedDeflated, zips: [][]File{{{Name: "main", Data: a}, {Name: "copy", Data: a}}},
		deflations: 1, cached: 1,
	}, {
		name: "small files are not cached",
		max:  maxCachedDeflated, zips: [][]File{{{Name: "faas.json", Data: []byte("{}")}, {Name: "small", Data: content(4, minCachedSize-1)}}},
		deflations: 0, cached: 0,
	}, {
		name: "the least recently used is dropped",
		max:  size(a) + size(b), zips: concat(units(a, 1), units(b, 1), units(a, 1), units(c, 1), units(a, 1), units(b, 1)),
		// a, b cached; a used; c drops b; a hit; b again drops c
		deflations: 4, cached: 2,
	}, {
		name: "a content larger than the cache is not kept",
		max:  size(a) - 1, zips: units(a, 3),
		deflations: 3, cached: 0,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cache := newDeflateCache(tt.max)
			for i, files := range tt.zips {
				var buf bytes.Buffer
				if err := cache.zip(&buf, files); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(buf.Bytes(), referenceZip(t, files)) {
					t.Errorf("zip %d differs from what archive/zip writes by itself", i)
				}
			}
			total := 0
			for _, d := range cache.entries {
				total += cap(d)
			}
			got := struct{ Deflations, Cached, Order, Size int }{cache.deflations, len(cache.entries), len(cache.order), cache.size}
			want := struct{ Deflations, Cached, Order, Size int }{tt.deflations, tt.cached, tt.cached, total}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("cache (-want +got):\n%s", diff)
			}
			if cache.size > tt.max {
				t.Errorf("cache holds %d bytes, more than its %d", cache.size, tt.max)
			}
		})
	}
}

// Concurrent zips of the same files write the same bytes; run with -race.
func TestZipConcurrent(t *testing.T) {
	files := Layout(faas.PlatformAWS, content(5, 256<<10), &faas.Manifest{Unit: "u"})
	want := referenceZip(t, files)
	cache := newDeflateCache(maxCachedDeflated)
	var wg sync.WaitGroup
	got := make([][]byte, 8)
	for i := range got {
		wg.Go(func() {
			var buf bytes.Buffer
			if err := cache.zip(&buf, files); err != nil {
				t.Error(err)
			}
			got[i] = buf.Bytes()
		})
	}
	wg.Wait()
	for i, g := range got {
		if !bytes.Equal(g, want) {
			t.Errorf("zip %d differs from what archive/zip writes by itself", i)
		}
	}
	if cache.deflations < 1 || cache.deflations > len(got) || len(cache.entries) != 1 {
		t.Errorf("%d deflations, %d entries; want 1 to %d, and 1", cache.deflations, len(cache.entries), len(got))
	}
}
