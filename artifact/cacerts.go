package artifact

import (
	"bytes"
	"encoding/pem"
	"sync"

	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// caCertificatesFile is where an image holds its CA certificates: the
// first file crypto/x509 reads on linux (root_linux.go, certFiles), where
// Debian, Ubuntu and Alpine keep their bundle.
const caCertificatesFile = "etc/ssl/certs/ca-certificates.crt"

// caCertificates returns the root certificates of Mozilla's NSS trust
// store, as golang.org/x/crypto/x509roots/fallback/bundle embeds them
// (the roots that package fallback gives crypto/x509), as a PEM bundle in
// the bundle's order. A root the bundle constrains (with an NSS
// distrust-after date) is left out: a PEM file cannot carry the
// constraint, and without it the root would be trusted for certificates
// that Mozilla no longer trusts it for. The bundle, and with it the image
// digest, changes only when go.mod updates the module.
var caCertificates = sync.OnceValue(func() []byte {
	var buf bytes.Buffer
	for root := range bundle.Roots() {
		if root.Constraint != nil {
			continue
		}
		pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: root.Certificate}) // a bytes.Buffer takes every write
	}
	return buf.Bytes()
})
