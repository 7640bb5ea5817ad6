package artifact_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/artifact"
)

// Package a binary for an SCF web function: the zip holds main, the
// manifest beside it and scf_bootstrap, which SCF starts (an event
// function's zip is Layout's files alone).
// In the CLI the binary comes from Build and the manifest from
// spec.Unit.Manifest.
func ExampleZip() {
	binary := []byte("\x7fELF...") // from artifact.Build
	m := &faas.Manifest{Unit: "orders", Platform: "scf", Functions: []faas.ManifestFunction{{Name: "list", Handler: "list"}}}

	var buf bytes.Buffer
	if err := artifact.Zip(&buf, append(artifact.Layout("scf", binary, m), artifact.ScfBootstrapFile())); err != nil {
		log.Fatal(err)
	}

	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range zr.File {
		fmt.Println(f.Mode(), f.Modified.UTC().Format("2006-01-02 15:04"), f.Name)
	}
	// Output:
	// -rw-r--r-- 1980-01-01 00:00 faas.json
	// -rwxr-xr-x 1980-01-01 00:00 main
	// -rwxr-xr-x 1980-01-01 00:00 scf_bootstrap
}

// Write an image for the web platform as an OCI archive, for skopeo copy
// oci-archive:hello.tar docker://registry.example.com/hello:v1, or docker
// load. The digest identifies the image in the registry.
func ExampleWriteTar() {
	var archive bytes.Buffer // an os.File in the CLI
	desc, err := artifact.WriteTar(&archive, artifact.ImageOptions{
		Target:   artifact.Target{Platform: "web", Arch: "arm64"},
		Binary:   []byte("\x7fELF..."), // from artifact.Build
		Manifest: &faas.Manifest{Unit: "hello", Platform: "web"},
		Name:     "registry.example.com/hello:v1",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(desc.MediaType)
	fmt.Println(desc.Platform.OS, desc.Platform.Architecture, desc.Annotations[artifact.AnnotationRefName])
	fmt.Println(len(desc.Digest) == len("sha256:")+64)
	// Output:
	// application/vnd.oci.image.manifest.v1+json
	// linux arm64 v1
	// true
}

// Build a unit's binary for AWS Lambda on arm64 and package it as the zip
// a SAM template's CodeUri names. A *BuildError carries the compiler's
// message for the CLI to show.
func ExampleBuild() {
	target := artifact.Target{Platform: "aws", Arch: "arm64"}
	path, err := artifact.Build(context.Background(), artifact.BuildOptions{
		Target: target,
		Dir:    ".",          // the user's module
		Main:   "./cmd/shop", // the main package
		Output: ".anyfaas/build/aws-arm64/bootstrap",
	})
	var be *artifact.BuildError
	if errors.As(err, &be) {
		fmt.Fprint(os.Stderr, be.Output)
		os.Exit(1)
	} else if err != nil {
		log.Fatal(err)
	}
	binary, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	m := &faas.Manifest{Unit: "shop", Platform: "aws"} // spec.Unit.Manifest("aws")
	f, err := os.Create(".anyfaas/shop.zip")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if err := artifact.Zip(f, artifact.Layout(target.Platform, binary, m)); err != nil {
		log.Fatal(err)
	}
}
