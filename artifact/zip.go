package artifact

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/anyfaas/faas"
)

// File is a file of an artifact: a zip entry or a file of an image's layer.
type File struct {
	// Name is the file's slash-separated path, relative to the artifact's
	// root, such as "bootstrap" or "etc/ssl/certs/ca-certificates.crt".
	Name string
	// Mode holds the file's Unix permission bits, such as 0o755 for an
	// executable; 0 means 0o644. A File is a regular file: any other type
	// bit is an error.
	Mode fs.FileMode
	// Data is the file's content.
	Data []byte
}

// perm returns the file's permission bits, 0o644 if it has none.
func (f File) perm() fs.FileMode {
	if p := f.Mode.Perm(); p != 0 {
		return p
	}
	return 0o644
}

// zipEpoch is the earliest time a zip (MS-DOS) timestamp can hold, which
// every entry of a Zip gets.
var zipEpoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// Zip writes files to w as a zip archive that is the same, byte for byte,
// whenever the files are: the entries are sorted by name, each is deflated,
// has the zip epoch (1980-01-01 00:00:00 UTC) as its modification time and
// keeps its Unix mode (0o755 for executables, which AWS Lambda and SCF
// require of bootstrap and scf_bootstrap). The order of files does not
// matter. A name that is not a valid relative path (io/fs.ValidPath), a
// name given twice or a File that is not a regular file is an error, and
// nothing is written.
//
// Zip deflates a file of 64 KiB or more (a binary) once per content: it
// keeps the deflated bytes of the last such files it wrote, up to 128 MiB
// of them, and reuses them when it is given the same content again, found
// by its SHA-256 digest. Zipping N units of one binary so deflates it
// once, and writes the very bytes it would write otherwise. Zip is safe
// for concurrent use.
func Zip(w io.Writer, files []File) error {
	return zipCache.zip(w, files)
}

// zipLevel is the compression level of archive/zip's own Deflate
// compressor (register.go, newFlateWriter): deflating at the same level,
// Zip writes the bytes zip.Writer.CreateHeader would write by itself.
const zipLevel = 5

// A file of minCachedSize bytes or more has its deflated bytes cached;
// smaller ones, a manifest or a bootstrap script, cost less to deflate
// again than to hash. The cache holds at most maxCachedDeflated bytes,
// dropping the least recently used first: enough for the binaries of
// every platform of a service.
const (
	minCachedSize     = 64 << 10
	maxCachedDeflated = 128 << 20
)

// zipCache is the cache of deflated contents that Zip uses.
var zipCache = newDeflateCache(maxCachedDeflated)

// deflateCache holds the deflated bytes of contents, by their SHA-256
// digest, and writes zips with them.
type deflateCache struct {
	max int // bytes the cache may hold

	mu      sync.Mutex
	entries map[[sha256.Size]byte][]byte
	order   [][sha256.Size]byte // least recently used first
	size    int                 // bytes in entries, by their capacity
	// deflations counts the contents of minCachedSize bytes or more that
	// were deflated, for tests.
	deflations int
}

// newDeflateCache returns an empty cache that holds at most max bytes.
func newDeflateCache(max int) *deflateCache {
	return &deflateCache{max: max, entries: map[[sha256.Size]byte][]byte{}}
}

// zip writes files to w as Zip says.
func (c *deflateCache) zip(w io.Writer, files []File) error {
	sorted, err := sortFiles(files)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	var next *predeflated // the compressor of the entry CreateHeader adds
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		next.w = out
		return next, nil
	})
	for _, f := range sorted {
		next = &predeflated{data: c.deflate(f.Data), size: len(f.Data)}
		h := &zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: zipEpoch}
		h.SetMode(f.perm())
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return fmt.Errorf("artifact: zip: %w", err)
		}
		if _, err := fw.Write(f.Data); err != nil {
			return fmt.Errorf("artifact: zip: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("artifact: zip: %w", err)
	}
	return nil
}

// deflate returns data deflated at zipLevel: from the cache if data is
// large and was deflated before, else deflated now, and cached if large.
// The bytes returned must not be modified.
func (c *deflateCache) deflate(data []byte) []byte {
	if len(data) < minCachedSize {
		return deflate(data)
	}
	key := sha256.Sum256(data)
	c.mu.Lock()
	d, ok := c.entries[key]
	if ok {
		c.use(key)
	}
	c.mu.Unlock()
	if ok {
		return d
	}
	d = deflate(data) // outside the lock: zips of other contents go on
	c.mu.Lock()
	defer c.mu.Unlock()
	c.deflations++
	if cached, ok := c.entries[key]; ok { // deflated meanwhile by another Zip
		c.use(key)
		return cached
	}
	if cap(d) <= c.max {
		for c.size+cap(d) > c.max {
			oldest := c.order[0]
			c.order = c.order[1:]
			c.size -= cap(c.entries[oldest])
			delete(c.entries, oldest)
		}
		c.entries[key] = d
		c.order = append(c.order, key)
		c.size += cap(d)
	}
	return d
}

// use moves key, which is in the cache, to the end of the order, as the
// most recently used. c.mu is held.
func (c *deflateCache) use(key [sha256.Size]byte) {
	i := slices.Index(c.order, key)
	c.order = append(slices.Delete(c.order, i, i+1), key)
}

// flateWriters are the flate.Writers deflate uses, at zipLevel.
var flateWriters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(io.Discard, zipLevel) // zipLevel is a valid level
	return w
}}

// deflate returns data deflated at zipLevel, as archive/zip deflates it.
func deflate(data []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(data)/2 + 64)
	fw := flateWriters.Get().(*flate.Writer)
	defer flateWriters.Put(fw)
	fw.Reset(&buf)
	fw.Write(data) // a bytes.Buffer takes every write
	fw.Close()
	return buf.Bytes()
}

// predeflated is the compressor of a zip entry whose content was deflated
// beforehand: it writes data, the deflated bytes, and drops the content
// written to it, of which zip.Writer computes the CRC-32 and the size.
type predeflated struct {
	w    io.Writer
	data []byte // the content, deflated
	size int    // the content's size
	n    int    // bytes of content written
}

// Write counts the content written.
func (p *predeflated) Write(b []byte) (int, error) {
	p.n += len(b)
	return len(b), nil
}

// Close writes the deflated content.
func (p *predeflated) Close() error {
	if p.n != p.size {
		return fmt.Errorf("%d bytes of content written, deflated %d", p.n, p.size)
	}
	_, err := p.w.Write(p.data)
	return err
}

// sortFiles checks files and returns them sorted by name.
func sortFiles(files []File) ([]File, error) {
	sorted := slices.Clone(files)
	slices.SortFunc(sorted, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	for i, f := range sorted {
		if !fs.ValidPath(f.Name) || f.Name == "." || strings.Contains(f.Name, `\`) {
			return nil, fmt.Errorf("artifact: file name %q is not a relative slash-separated path", f.Name)
		}
		if f.Mode.Type() != 0 {
			return nil, fmt.Errorf("artifact: file %s: mode %v is not a regular file's", f.Name, f.Mode)
		}
		if i > 0 && sorted[i-1].Name == f.Name {
			return nil, fmt.Errorf("artifact: file %s is given twice", f.Name)
		}
	}
	return sorted, nil
}

// ScfBootstrap is the scf_bootstrap of an SCF web function's files: SCF
// starts it to run a web function, and it runs main, found beside it by
// its own path ($0, /var/user/scf_bootstrap on SCF). Tencent Cloud's
// "Bootstrap File Description" (doc 583/56126) asks for an executable
// named scf_bootstrap whose first line is #!/bin/bash, that starts its
// program by absolute path, and whose lines end in LF.
const ScfBootstrap = "#!/bin/bash\n# Written by anyfaas: SCF starts this file to run a web function.\nexec \"$(dirname \"$0\")/main\" \"$@\"\n"

// FcBootstrap is the bootstrap of an FC zip: FC 2.0's custom runtime (the
// funcraft template.yml's Runtime custom) starts /code/bootstrap, which
// runs main beside it. FC 3.0's go1 runtime runs main and ignores it.
const FcBootstrap = "#!/bin/bash\n# Written by anyfaas: FC's custom runtime starts this file.\nexec \"$(dirname \"$0\")/main\" \"$@\"\n"

// ScfBootstrapFile is ScfBootstrap as the file scf_bootstrap, mode 0o755,
// which an SCF web function needs beside main (SCF starts it) and an
// event function does not (the Go1 runtime runs main): add it to
// Layout's files for a unit deployed as a web function.
func ScfBootstrapFile() File {
	return File{Name: "scf_bootstrap", Mode: 0o755, Data: []byte(ScfBootstrap)}
}

// Layout returns the files of a platform's zip, sorted by name: the binary
// as Executable(platform), mode 0o755, and the manifest m as indented JSON
// named faas.ManifestFile, mode 0o644, beside it, where the App looks for
// it. For scf that is all an event function needs (the Go1 runtime runs
// main); a web function needs ScfBootstrapFile too. For fc it adds FcBootstrap as
// bootstrap, mode 0o755, for the same reason: one zip serves FC 3.0's go1
// runtime and FC 2.0's custom runtime. A nil m leaves the manifest out, and
// the App then serves every function it registers. The files share
// binary's memory; Layout does not copy it.
func Layout(platform string, binary []byte, m *faas.Manifest) []File {
	files := []File{{Name: Executable(platform), Mode: 0o755, Data: binary}}
	if m != nil {
		files = append(files, File{Name: faas.ManifestFile, Mode: 0o644, Data: manifestJSON(m)})
	}
	switch platform {
	case faas.PlatformFC:
		files = append(files, File{Name: "bootstrap", Mode: 0o755, Data: []byte(FcBootstrap)})
	}
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	return files
}

// manifestJSON returns m as the indented JSON of a manifest file.
func manifestJSON(m *faas.Manifest) []byte {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		// A Manifest holds strings and slices of them only.
		panic("artifact: encoding the manifest: " + err.Error())
	}
	return append(data, '\n')
}
