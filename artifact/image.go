package artifact

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/anyfaas/faas"
)

// The media types of the OCI image-spec (media-types.md) that an image
// uses.
const (
	// MediaTypeIndex is the media type of index.json, an image index.
	MediaTypeIndex = "application/vnd.oci.image.index.v1+json"
	// MediaTypeManifest is the media type of an image manifest.
	MediaTypeManifest = "application/vnd.oci.image.manifest.v1+json"
	// MediaTypeConfig is the media type of an image configuration.
	MediaTypeConfig = "application/vnd.oci.image.config.v1+json"
	// MediaTypeLayer is the media type of a layer: a gzipped tar.
	MediaTypeLayer = "application/vnd.oci.image.layer.v1.tar+gzip"
)

// AnnotationRefName is the annotation that names a manifest of an image
// layout's index.json (annotations.md: org.opencontainers.image.ref.name),
// the name skopeo's oci-archive:<file>:<name> looks for.
const AnnotationRefName = "org.opencontainers.image.ref.name"

// ImageOptions says what goes into an image. The image is one layer, from
// scratch, holding /bootstrap, /faas.json, Files, a CA bundle at
// /etc/ssl/certs/ca-certificates.crt (Mozilla's roots, so that the binary
// can call HTTPS services) and an empty /tmp (mode 1777), and its config runs
// ["/bootstrap"] as linux/Target.Arch with Env and exposes 8080/tcp (the
// PORT default of Cloud Run and Knative), or 9000/tcp for fc and scf
// (Function Compute's custom container CAPort, SCF's image functions).
type ImageOptions struct {
	// Target is the platform and architecture of the binary.
	Target Target
	// Binary is the executable, built for Target, which the image holds as
	// /bootstrap and runs.
	Binary []byte
	// Manifest is the unit's manifest, which the image holds as
	// /faas.json; nil leaves it out.
	Manifest *faas.Manifest
	// Env holds the image's environment variables, KEY=value, after
	// FAAS_PLATFORM=<platform>, which is there unless Env sets it.
	Env []string
	// Files are more files for the image, each with its parent
	// directories (mode 0o755). A file named
	// etc/ssl/certs/ca-certificates.crt replaces the image's CA bundle,
	// with a company's own roots, say. None may be named bootstrap, nor
	// faas.json when Manifest is set, nor tmp, which is a directory.
	Files []File
	// Name is the image's reference, [registry/]repository[:tag], such
	// as "registry.example.com/shop/api:v1". Its tag ("latest" if it has
	// none, or if Name is empty) names the manifest in index.json; a tar
	// written by WriteTar is tagged with Name when docker loads it.
	Name string
}

// Descriptor points at a blob of an image, as the OCI image-spec's
// descriptor.md defines it.
type Descriptor struct {
	// MediaType is the blob's media type.
	MediaType string `json:"mediaType"`
	// Digest is the blob's digest, "sha256:" and 64 hex digits.
	Digest string `json:"digest"`
	// Size is the blob's size in bytes.
	Size int64 `json:"size"`
	// Platform is the platform a manifest's image runs on.
	Platform *Platform `json:"platform,omitempty"`
	// Annotations are the descriptor's annotations.
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Platform is the platform of an image, in an index's descriptor.
type Platform struct {
	// Architecture is the CPU architecture, as GOARCH spells it.
	Architecture string `json:"architecture"`
	// OS is the operating system, as GOOS spells it: always linux.
	OS string `json:"os"`
}

// WriteLayout writes the image o describes into dir, created if needed, as
// an OCI image layout (image-layout.md): oci-layout, index.json naming the
// image's manifest, the blobs under blobs/sha256, and docker save's
// manifest.json, which points at the same blobs. It replaces dir's
// index.json, so dir then names this image only. It returns the
// manifest's descriptor, whose digest identifies the image in a registry.
func WriteLayout(dir string, o ImageOptions) (Descriptor, error) {
	img, err := newImage(o)
	if err != nil {
		return Descriptor{}, err
	}
	for _, f := range img.files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return Descriptor{}, fmt.Errorf("artifact: %w", err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return Descriptor{}, fmt.Errorf("artifact: %w", err)
		}
	}
	return img.manifest, nil
}

// WriteTar writes the image o describes to w as a tar of the files
// WriteLayout writes: an OCI layout archive, which skopeo copy
// oci-archive: takes, that is also a docker save archive, which docker load
// and crane push take. The same options give the same bytes. It returns
// the manifest's descriptor.
func WriteTar(w io.Writer, o ImageOptions) (Descriptor, error) {
	img, err := newImage(o)
	if err != nil {
		return Descriptor{}, err
	}
	tw := tar.NewWriter(w)
	for _, e := range withDirs(img.files) {
		if err := writeTarEntry(tw, e); err != nil {
			return Descriptor{}, fmt.Errorf("artifact: %w", err)
		}
	}
	if err := tw.Close(); err != nil {
		return Descriptor{}, fmt.Errorf("artifact: %w", err)
	}
	return img.manifest, nil
}

// image is an image's files, as an image layout holds them.
type image struct {
	manifest Descriptor
	// files are oci-layout, index.json, manifest.json and the blobs, in
	// that order.
	files []File
}

// The JSON documents of an image. Struct fields keep their order and
// encoding/json sorts map keys, so the same values encode to the same
// bytes.
type (
	ociLayout struct {
		ImageLayoutVersion string `json:"imageLayoutVersion"`
	}
	ociIndex struct {
		SchemaVersion int          `json:"schemaVersion"`
		MediaType     string       `json:"mediaType"`
		Manifests     []Descriptor `json:"manifests"`
	}
	ociManifest struct {
		SchemaVersion int          `json:"schemaVersion"`
		MediaType     string       `json:"mediaType"`
		Config        Descriptor   `json:"config"`
		Layers        []Descriptor `json:"layers"`
	}
	ociConfig struct {
		Created      string       `json:"created"`
		Architecture string       `json:"architecture"`
		OS           string       `json:"os"`
		Config       execConfig   `json:"config"`
		RootFS       rootFS       `json:"rootfs"`
		History      []ociHistory `json:"history"`
	}
	execConfig struct {
		Env          []string            `json:"Env,omitempty"`
		Entrypoint   []string            `json:"Entrypoint"`
		ExposedPorts map[string]struct{} `json:"ExposedPorts"`
	}
	rootFS struct {
		Type    string   `json:"type"`
		DiffIDs []string `json:"diff_ids"`
	}
	ociHistory struct {
		Created   string `json:"created"`
		CreatedBy string `json:"created_by"`
	}
	// dockerManifest is an entry of docker save's manifest.json.
	dockerManifest struct {
		Config   string
		RepoTags []string
		Layers   []string
	}
)

// epoch is the time of every tar entry and of the image config.
var epoch = time.Unix(0, 0).UTC()

// newImage builds the image o describes.
func newImage(o ImageOptions) (*image, error) {
	if err := o.Target.Validate(); err != nil {
		return nil, err
	}
	if len(o.Binary) == 0 {
		return nil, fmt.Errorf("artifact: image for %s: no binary", o.Target)
	}
	repo, tag, err := parseName(o.Name)
	if err != nil {
		return nil, err
	}
	env, err := imageEnv(o.Target.Platform, o.Env)
	if err != nil {
		return nil, err
	}

	files := append([]File{{Name: "bootstrap", Mode: 0o755, Data: o.Binary}}, o.Files...)
	if o.Manifest != nil {
		files = append(files, File{Name: faas.ManifestFile, Mode: 0o644, Data: manifestJSON(o.Manifest)})
	}
	if !slices.ContainsFunc(o.Files, func(f File) bool { return f.Name == caCertificatesFile }) {
		files = append(files, File{Name: caCertificatesFile, Mode: 0o644, Data: caCertificates()})
	}
	tarred, err := layerTar(files)
	if err != nil {
		return nil, err
	}
	gzipped, err := gzipBytes(tarred)
	if err != nil {
		return nil, err
	}
	layer := describe(MediaTypeLayer, gzipped)

	created := epoch.Format(time.RFC3339)
	config := mustJSON(ociConfig{
		Created:      created,
		Architecture: o.Target.Arch,
		OS:           "linux",
		Config: execConfig{
			Env:          env,
			Entrypoint:   []string{"/bootstrap"},
			ExposedPorts: map[string]struct{}{port(o.Target.Platform) + "/tcp": {}},
		},
		RootFS:  rootFS{Type: "layers", DiffIDs: []string{digest(tarred)}},
		History: []ociHistory{{Created: created, CreatedBy: "anyfaas: /bootstrap and /" + faas.ManifestFile + " for " + o.Target.String()}},
	})
	configDesc := describe(MediaTypeConfig, config)
	manifest := mustJSON(ociManifest{
		SchemaVersion: 2,
		MediaType:     MediaTypeManifest,
		Config:        configDesc,
		Layers:        []Descriptor{layer},
	})
	manifestDesc := describe(MediaTypeManifest, manifest)
	manifestDesc.Platform = &Platform{Architecture: o.Target.Arch, OS: "linux"}
	manifestDesc.Annotations = map[string]string{AnnotationRefName: tag}

	docker := dockerManifest{Config: blobPath(configDesc), Layers: []string{blobPath(layer)}, RepoTags: []string{}}
	if repo != "" {
		docker.RepoTags = []string{repo + ":" + tag}
	}
	blobs := []File{
		{Name: blobPath(layer), Data: gzipped},
		{Name: blobPath(configDesc), Data: config},
		{Name: blobPath(manifestDesc), Data: manifest},
	}
	slices.SortFunc(blobs, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	img := &image{manifest: manifestDesc, files: []File{
		{Name: "oci-layout", Data: mustJSON(ociLayout{ImageLayoutVersion: "1.0.0"})},
		{Name: "index.json", Data: mustJSON(ociIndex{SchemaVersion: 2, MediaType: MediaTypeIndex, Manifests: []Descriptor{manifestDesc}})},
		{Name: "manifest.json", Data: mustJSON([]dockerManifest{docker})},
	}}
	img.files = append(img.files, blobs...)
	return img, nil
}

// port returns the port the platform's adapter listens on in a container:
// 9000 for fc (FC's custom container CAPort) and scf (SCF's image
// functions), 8080 for the others (Cloud Run's and Knative's PORT).
func port(platform string) string {
	switch platform {
	case faas.PlatformFC, faas.PlatformSCF:
		return "9000"
	}
	return "8080"
}

// imageEnv returns the image's environment: FAAS_PLATFORM, so that the
// binary starts the one adapter it links wherever the image runs (on Cloud
// Run, say, a gcf binary would otherwise detect the web platform), unless
// env sets it, then env.
func imageEnv(platform string, env []string) ([]string, error) {
	out := []string{"FAAS_PLATFORM=" + platform}
	for _, kv := range env {
		k, _, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("artifact: environment variable %q is not KEY=value", kv)
		}
		if k == "FAAS_PLATFORM" {
			out = out[1:]
		}
	}
	return append(out, env...), nil
}

// nameRE matches a reference [registry/]repository[:tag] as docker
// accepts it: lower-case path components, an optional registry host with
// a port, and a tag of up to 128 word characters, dots and dashes.
var nameRE = regexp.MustCompile(`^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]+)?/)?` +
	`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*` +
	`(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$`)

// parseName splits a reference into its repository and its tag, "latest"
// if it has none.
func parseName(name string) (repo, tag string, err error) {
	if name == "" {
		return "", "latest", nil
	}
	if !nameRE.MatchString(name) {
		return "", "", fmt.Errorf("artifact: image name %q is not [registry/]repository[:tag]", name)
	}
	repo, tag = name, "latest"
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		repo, tag = name[:i], name[i+1:]
	}
	return repo, tag, nil
}

// tmpDir is the /tmp of every image: a directory that anyone may write
// to, whose files only their owner may remove (mode 1777, the sticky bit
// set), as os.TempDir and the programs a function starts expect it.
var tmpDir = File{Name: "tmp", Mode: fs.ModeDir | fs.ModeSticky | 0o777}

// layerTar returns files, with their parent directories and tmpDir, as a
// layer's tar: sorted, owned by uid and gid 0 with no user names, dated
// the Unix epoch.
func layerTar(files []File) ([]byte, error) {
	sorted, err := sortFiles(files)
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, f := range sorted {
		names[f.Name] = true
	}
	if names[tmpDir.Name] {
		return nil, fmt.Errorf("artifact: %s is a file, but the image's /%[1]s is a directory", tmpDir.Name)
	}
	for _, f := range sorted {
		for d := path.Dir(f.Name); d != "."; d = path.Dir(d) {
			if names[d] {
				return nil, fmt.Errorf("artifact: %s is a file and the directory of %s", d, f.Name)
			}
		}
	}
	i, _ := slices.BinarySearchFunc(sorted, tmpDir.Name, func(f File, name string) int { return strings.Compare(f.Name, name) })
	entries := slices.Insert(sorted, i, tmpDir)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range withDirs(entries) {
		if err := writeTarEntry(tw, e); err != nil {
			return nil, fmt.Errorf("artifact: layer: %w", err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("artifact: layer: %w", err)
	}
	return buf.Bytes(), nil
}

// withDirs returns files, sorted by name, with an entry for each of their
// parent directories (mode 0o755) before the first file in it. A
// directory's entry has fs.ModeDir set and a name ending in a slash. files
// may hold directories, which keep their mode, and come before the files
// in them as their names sort before.
func withDirs(files []File) []File {
	var out []File
	seen := map[string]bool{}
	for _, f := range files {
		var parents []string
		for d := path.Dir(f.Name); d != "." && !seen[d]; d = path.Dir(d) {
			seen[d] = true
			parents = append(parents, d)
		}
		for _, d := range slices.Backward(parents) {
			out = append(out, File{Name: d + "/", Mode: fs.ModeDir | 0o755})
		}
		if f.Mode.IsDir() {
			seen[f.Name] = true
			f.Name += "/"
		}
		out = append(out, f)
	}
	return out
}

// writeTarEntry writes a file or directory of withDirs with fixed
// ownership and time.
func writeTarEntry(tw *tar.Writer, f File) error {
	h := &tar.Header{Name: f.Name, ModTime: epoch}
	if f.Mode.IsDir() {
		h.Typeflag, h.Mode = tar.TypeDir, int64(f.Mode.Perm())
		if f.Mode&fs.ModeSticky != 0 {
			h.Mode |= 0o1000 // c_ISVTX
		}
	} else {
		h.Typeflag, h.Mode, h.Size = tar.TypeReg, int64(f.perm()), int64(len(f.Data))
	}
	if err := tw.WriteHeader(h); err != nil {
		return err
	}
	_, err := tw.Write(f.Data)
	return err
}

// gzipBytes compresses data with a gzip header that holds no name and no
// time.
func gzipBytes(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf) // its Header is zero: no name, no ModTime
	if _, err := zw.Write(data); err != nil {
		return nil, fmt.Errorf("artifact: layer: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("artifact: layer: %w", err)
	}
	return buf.Bytes(), nil
}

// describe returns the descriptor of a blob.
func describe(mediaType string, data []byte) Descriptor {
	return Descriptor{MediaType: mediaType, Digest: digest(data), Size: int64(len(data))}
}

// digest returns the sha256 digest of data, as descriptors give it.
func digest(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// blobPath returns the path of a blob in an image layout.
func blobPath(d Descriptor) string {
	return "blobs/" + strings.Replace(d.Digest, ":", "/", 1)
}

// mustJSON encodes v, a document of this file, which cannot fail.
func mustJSON(v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		panic("artifact: encoding " + fmt.Sprintf("%T", v) + ": " + err.Error())
	}
	return data
}
