// Package artifact turns a user's main package into what each platform
// deploys: a cross-compiled static binary ([Build]), a deterministic zip of
// it beside its manifest ([Layout], [Zip]), or an OCI image built without
// Docker ([WriteLayout], [WriteTar]). It uses the go command, the
// standard library and, for the CA bundle of images, Mozilla's roots as
// golang.org/x/crypto/x509roots/fallback/bundle embeds them. No function
// binary links this package.
//
// # Binaries
//
// [Build] runs go build for linux and the target's architecture with
// CGO_ENABLED=0, -trimpath, -buildvcs=false, -ldflags="-s -w -buildid="
// and the tag faas_<platform> (plus lambda.norpc for aws), so the binary
// is static, links only its platform's adapter (see package
// github.com/anyfaas/faas/adapters) and is byte-identical when built again
// from the same sources with the same toolchain.
//
// # Zips
//
// Every artifact holds the executable and, beside it, the unit's manifest
// as faas.ManifestFile, which the App reads at start. The executable is
// named as the platform's runtime expects ([Executable]): "bootstrap" for
// AWS Lambda's provided.al2023 runtime, "main" for the Go runtimes of
// Function Compute and SCF (handler "main"). The files of an SCF web
// function also hold scf_bootstrap ([ScfBootstrapFile]), which starts
// ./main (SCF starts scf_bootstrap, and the scf adapter then serves HTTP
// on 0.0.0.0:9000); an event function's do not, as the Go1 runtime runs
// main. A zip for FC likewise holds a bootstrap that starts
// ./main, for FC 2.0's custom runtime. [Zip] sorts the entries, gives each the zip epoch
// (1980-01-01 00:00:00 UTC) as its time, keeps Unix modes and deflates,
// so the same files give the same bytes. It deflates a binary once and
// reuses the deflated bytes for every later zip of the same content, so
// that N units of one binary cost one deflation.
//
// # Images
//
// An image is one layer, from scratch, holding /bootstrap (0755),
// /faas.json (0644), Mozilla's root certificates as a PEM bundle at
// /etc/ssl/certs/ca-certificates.crt (0644), where crypto/x509 looks
// first on linux, so that the binary can call HTTPS services, and an
// empty /tmp (1777): the OCI image layout of the OCI image-spec
// (image-layout.md: oci-layout, index.json, blobs/sha256/<hex>), with an
// image manifest (manifest.md), a config (config.md: architecture, os,
// config.Entrypoint ["/bootstrap"], Env, ExposedPorts, rootfs.diff_ids)
// and a tar+gzip layer (layer.md). Tar headers have uid and gid 0, no user
// names and the Unix epoch as time; the gzip header has no name and no
// time; the config's created is 1970-01-01T00:00:00Z. The same binary and
// options so give the same manifest digest (as long as go.mod keeps the
// same version of the x509roots module), which [WriteLayout] and
// [WriteTar] return, for a deploy spec to refer to the image by digest.
//
// [WriteTar] writes the layout as one tar file that both skopeo copy
// oci-archive: and docker load (and crane push) take: beside the layout it
// holds the manifest.json of docker save, which points at the same blobs.
package artifact
