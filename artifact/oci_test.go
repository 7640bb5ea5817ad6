package artifact_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The test's own reading of the OCI image-spec, independent of the
// package's types: image-layout.md, image-index.md, manifest.md,
// config.md, descriptor.md.
type (
	descriptor struct {
		MediaType   string            `json:"mediaType"`
		Digest      string            `json:"digest"`
		Size        int64             `json:"size"`
		Platform    map[string]string `json:"platform"`
		Annotations map[string]string `json:"annotations"`
	}
	index struct {
		SchemaVersion int          `json:"schemaVersion"`
		MediaType     string       `json:"mediaType"`
		Manifests     []descriptor `json:"manifests"`
	}
	manifest struct {
		SchemaVersion int          `json:"schemaVersion"`
		MediaType     string       `json:"mediaType"`
		Config        descriptor   `json:"config"`
		Layers        []descriptor `json:"layers"`
	}
	config struct {
		Created      string `json:"created"`
		Architecture string `json:"architecture"`
		OS           string `json:"os"`
		Config       struct {
			Env          []string                  `json:"Env"`
			Entrypoint   []string                  `json:"Entrypoint"`
			Cmd          []string                  `json:"Cmd"`
			ExposedPorts map[string]map[string]any `json:"ExposedPorts"`
		} `json:"config"`
		RootFS struct {
			Type    string   `json:"type"`
			DiffIDs []string `json:"diff_ids"`
		} `json:"rootfs"`
	}
	// dockerEntry is an entry of docker save's manifest.json.
	dockerEntry struct {
		Config   string
		RepoTags []string
		Layers   []string
	}
	// tarEntry is what a test checks of a tar header.
	tarEntry struct {
		Name           string
		Type           byte
		Mode           int64
		UID, GID       int
		Uname, Gname   string
		ModTime        time.Time
		Size           int64
		Data           string
		PAXRecords     map[string]string
		AccessOrChange bool
	}
	// ociImage is what checkImage found.
	ociImage struct {
		Manifest descriptor // as index.json gives it
		Config   config
		Layer    []tarEntry // the layer's entries, in order
		Docker   []dockerEntry
	}
)

var digestRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// checkImage checks an image layout, given as its files by path, against
// the OCI image-spec: the oci-layout marker, index.json, the manifest, the
// config and the layer, every descriptor's media type, size and sha256
// digest, the layer's diff_id and its gzip header, and that every blob is
// referenced. It returns what it found for the test to compare.
func checkImage(t *testing.T, files map[string][]byte) ociImage {
	t.Helper()
	var img ociImage
	decode := func(name string, data []byte, v any) {
		t.Helper()
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, data)
		}
	}
	used := map[string]bool{}
	blob := func(what string, d descriptor, mediaType string) []byte {
		t.Helper()
		if d.MediaType != mediaType {
			t.Errorf("%s: mediaType %q, want %q", what, d.MediaType, mediaType)
		}
		if !digestRE.MatchString(d.Digest) {
			t.Fatalf("%s: digest %q is not sha256:<64 hex>", what, d.Digest)
		}
		name := "blobs/sha256/" + strings.TrimPrefix(d.Digest, "sha256:")
		data, ok := files[name]
		if !ok {
			t.Fatalf("%s: no blob %s", what, name)
		}
		used[name] = true
		if int64(len(data)) != d.Size {
			t.Errorf("%s: size %d, but the blob has %d bytes", what, d.Size, len(data))
		}
		if got := sha256Digest(data); got != d.Digest {
			t.Errorf("%s: the blob's digest is %s, the descriptor says %s", what, got, d.Digest)
		}
		return data
	}

	var layout map[string]any
	decode("oci-layout", files["oci-layout"], &layout)
	if diff := cmp.Diff(map[string]any{"imageLayoutVersion": "1.0.0"}, layout); diff != "" {
		t.Errorf("oci-layout (-want +got):\n%s", diff)
	}
	var idx index
	decode("index.json", files["index.json"], &idx)
	if idx.SchemaVersion != 2 || idx.MediaType != "application/vnd.oci.image.index.v1+json" || len(idx.Manifests) != 1 {
		t.Fatalf("index.json: %+v, want schemaVersion 2, the index media type and one manifest", idx)
	}
	img.Manifest = idx.Manifests[0]
	var m manifest
	decode("manifest", blob("index.json manifests[0]", img.Manifest, "application/vnd.oci.image.manifest.v1+json"), &m)
	if m.SchemaVersion != 2 || m.MediaType != "application/vnd.oci.image.manifest.v1+json" || len(m.Layers) != 1 {
		t.Fatalf("manifest: %+v, want schemaVersion 2, the manifest media type and one layer", m)
	}
	decode("config", blob("manifest config", m.Config, "application/vnd.oci.image.config.v1+json"), &img.Config)
	layer := blob("manifest layers[0]", m.Layers[0], "application/vnd.oci.image.layer.v1.tar+gzip")

	zr, err := gzip.NewReader(bytes.NewReader(layer))
	if err != nil {
		t.Fatalf("layer: %v", err)
	}
	if zr.Name != "" || !zr.ModTime.IsZero() || zr.Comment != "" {
		t.Errorf("layer gzip header: name %q, mtime %v, comment %q; want none", zr.Name, zr.ModTime, zr.Comment)
	}
	tarred, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("layer: %v", err)
	}
	if got := img.Config.RootFS; got.Type != "layers" || !slices.Equal(got.DiffIDs, []string{sha256Digest(tarred)}) {
		t.Errorf("config rootfs %+v, want type layers and the diff_id %s", got, sha256Digest(tarred))
	}
	img.Layer = readTar(t, tarred)

	decode("manifest.json", files["manifest.json"], &img.Docker)
	if len(img.Docker) != 1 {
		t.Fatalf("manifest.json has %d entries, want 1", len(img.Docker))
	}
	if d := img.Docker[0]; d.Config != blobName(m.Config) || !slices.Equal(d.Layers, []string{blobName(m.Layers[0])}) {
		t.Errorf("manifest.json points at %s and %v, want the config %s and the layer %s", d.Config, d.Layers, blobName(m.Config), blobName(m.Layers[0]))
	}
	for name := range files {
		if strings.HasPrefix(name, "blobs/") && !used[name] {
			t.Errorf("blob %s is not referenced", name)
		}
	}
	return img
}

func blobName(d descriptor) string { return "blobs/sha256/" + strings.TrimPrefix(d.Digest, "sha256:") }

func sha256Digest(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// readTar returns a tar's entries in order.
func readTar(t *testing.T, data []byte) []tarEntry {
	t.Helper()
	var entries []tarEntry
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return entries
		}
		if err != nil {
			t.Fatalf("tar: %v", err)
		}
		content, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("tar %s: %v", h.Name, err)
		}
		entries = append(entries, tarEntry{
			Name: h.Name, Type: h.Typeflag, Mode: h.Mode, UID: h.Uid, GID: h.Gid,
			Uname: h.Uname, Gname: h.Gname, ModTime: h.ModTime.UTC(), Size: h.Size,
			Data: string(content), PAXRecords: h.PAXRecords,
			AccessOrChange: !h.AccessTime.IsZero() || !h.ChangeTime.IsZero(),
		})
	}
}

// tarFiles returns the regular files of a tar by name.
func tarFiles(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for _, e := range readTar(t, data) {
		if e.Type == tar.TypeReg {
			files[e.Name] = []byte(e.Data)
		}
	}
	return files
}

// dirFiles returns the regular files under dir by slash-separated path.
func dirFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
