package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/golden"
	"github.com/anyfaas/faas/spec"
)

// describeSpec has an aggregated unit whose members have their own
// timeouts and memory, a deployOrigin group, a function without HTTP
// routes and one of the code's layers answering preflights.
const describeSpec = `service: shop
provider: {name: aws, memorySize: 128, timeout: 10}
functions:
  getItem:
    handler: getItem
    timeout: 3
    events: [{http: {path: '/items/{id}', method: GET}}]
  createItem:
    handler: createItem
    memorySize: 256
    events: [{http: {path: /items, method: POST}}]
  report:
    handler: report
    timeout: 60
    events: [{http: {path: /report}}, {timer: {type: cron, value: '0 2 * * *'}}]
  nightly:
    handler: nightly
    events: [{timer: {type: every, value: 1h}}]
aggregation:
  api: {functions: [getItem, createItem]}
  admin: {deployOrigin: true, functions: [report]}
`

// TestDescribeText checks describe's view on every platform (goldens
// under testdata/describe): each unit's memory and timeout, a member's
// own shorter timeout, and what each platform deploys for HTTP routes.
func TestDescribeText(t *testing.T) {
	s, err := spec.Parse("f.yml", []byte(describeSpec), os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	s.AppLayers = []string{"cors"}
	for _, platform := range faas.Platforms {
		t.Run(platform, func(t *testing.T) {
			var out bytes.Buffer
			if err := writeUnits(&out, s, s, s.Units(), platform); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "describe", platform+".txt"), out.Bytes())
		})
	}
}

// TestDescribeCatchAll checks that describe names the catch-all route
// that aws and scf deploy for an aggregated unit of many routes.
func TestDescribeCatchAll(t *testing.T) {
	var b strings.Builder
	b.WriteString("service: big\nprovider: {name: aws}\nfunctions:\n")
	for i := range 21 {
		fmt.Fprintf(&b, "  f%d: {handler: f%d, events: [{http: {path: /api/f%d, method: GET}}]}\n", i, i, i)
	}
	b.WriteString("aggregation:\n  api: {functionsPattern: ['f*']}\n")
	s, err := spec.Parse("f.yml", []byte(b.String()), os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	for platform, want := range map[string]string{
		"aws": "HTTP on aws: one API Gateway route, ANY /api/*, for all 21 routes (more than 20)",
		"scf": "HTTP on scf: one API Gateway endpoint, ANY /api/*, for all 21 routes (more than 20)",
	} {
		var out bytes.Buffer
		if err := writeUnits(&out, s, s, s.Units(), platform); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), want) {
			t.Errorf("%s: describe says\n%s\nwant a line %q", platform, out.String(), want)
		}
	}
}
