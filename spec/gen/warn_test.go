package gen

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas/spec"
)

// An HTTP function's timeout longer than its front end waits is a
// warning at the key that gives it, naming each function that runs with
// it: its own, the provider's it inherits, or, in a group, the unit's
// when neither gives one. A function without HTTP events, an event no
// front end stands before, and a timeout the front end waits for are
// not.
func TestHTTPTimeouts(t *testing.T) {
	const head = "service: s\nprovider: {name: aws, timeout: 40}\nfunctions:\n"
	gateway := &FrontEnd{Name: "The gateway's APIs", Max: 30, Hint: "ask for more"}
	front := func(e *spec.Event) *FrontEnd {
		if e.Key == "http" {
			return gateway
		}
		return nil
	}
	const rest = ": a longer request gets an error while the function runs on (the timeout still holds for its other events); ask for more"
	tests := []struct {
		name, spec string
		want       []string
	}{
		{"own timeouts", head + `  a: {handler: a, timeout: 120, events: [{http: {path: /a}}, {timer: {value: '@every 1h'}}]}
  b: {handler: b, timeout: 30, events: [{http: {path: /b}}]}
  c: {handler: c, timeout: 600, events: [{timer: {value: '@every 1h'}}]}
  d: {handler: d, timeout: 90, events: [{apigw: {path: /d}}]}
`, []string{
			"f.yml:4:28: functions.a.timeout: The gateway's APIs end a request after 30 seconds, before the 120-second timeout of HTTP function a" + rest,
		}},
		{"the provider's, inherited", head + `  a: {handler: a, events: [{http: {path: /a}}]}
  b: {handler: b, events: [{http: {path: /b}}]}
  c: {handler: c, timeout: 5, events: [{http: {path: /c}}]}
`, []string{
			"f.yml:2:32: provider.timeout: The gateway's APIs end a request after 30 seconds, before the 40-second timeout of HTTP functions a, b" + rest,
		}},
		{"in a group", "service: s\nprovider: {name: aws}\nfunctions:\n" + `  a: {handler: a, events: [{http: {path: /a}}]}
  b: {handler: b, timeout: 60, events: [{timer: {value: '@every 1h'}}]}
  c: {handler: c, timeout: 45, events: [{http: {path: /c}}]}
aggregation:
  g: {functions: [a, b, c]}
`, []string{
			"f.yml:5:28: functions.b.timeout: The gateway's APIs end a request after 30 seconds, before the 60-second timeout of HTTP function a" + rest,
			"f.yml:6:28: functions.c.timeout: The gateway's APIs end a request after 30 seconds, before the 45-second timeout of HTTP function c" + rest,
		}},
		{"none", "service: s\nprovider: {name: aws}\nfunctions:\n  a: {handler: a, events: [{http: {path: /a}}]}\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := parseSpec(t, tt.spec)
			var got []string
			for _, e := range HTTPTimeouts(s, s.Units(), front) {
				got = append(got, e.Error())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

// A timeout over a limit, the unit's or a function's own, is a warning
// at its key, once.
func TestTimeouts(t *testing.T) {
	s := parseSpec(t, `service: s
provider: {name: knative, timeout: 700}
functions:
  a: {handler: a}
  b: {handler: b, timeout: 900}
  c: {handler: c, timeout: 300}
  d: {handler: d}
aggregation:
  g: {functions: [b, c]}
`)
	var got []string
	for _, e := range Timeouts(s, s.Units(), 600, "%d over %d") {
		got = append(got, e.Error())
	}
	want := []string{
		"f.yml:2:36: provider.timeout: 700 over 600",
		"f.yml:5:28: functions.b.timeout: 900 over 600",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

// A custom.customDomain a platform does not deploy is a warning at its
// domainName (or at customDomain, without one); none, false or null is
// not.
func TestDomainUndeployed(t *testing.T) {
	const head = "service: s\nprovider: {name: gcf}\nfunctions:\n  f: {handler: f, events: [{http: {path: /f}}]}\ncustom:\n"
	const rest = " is not deployed on P (only FC's specs declare one): the HTTP functions are served at the URLs P gives them; do this"
	tests := []struct{ custom, want string }{
		{"  customDomain: {domainName: api.example.com}\n", "f.yml:6:30: custom.customDomain.domainName: the custom domain api.example.com" + rest},
		{"  customDomain:\n    domainName: auto\n", "f.yml:7:17: custom.customDomain.domainName: the custom domain" + rest},
		{"  customDomain: {routes: x}\n", "f.yml:6:17: custom.customDomain: the custom domain" + rest},
		{"  customDomain: {domainName: false}\n", ""},
		{"  customDomain: false\n", ""},
		{"  customDomain:\n", ""},
		{"  other: 1\n", ""},
	}
	for _, tt := range tests {
		s, err := spec.Parse("f.yml", []byte(head+tt.custom), nil)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if w := DomainUndeployed(s, "P", "do this"); w != nil {
			got = w.Error()
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%q: warning (-want +got):\n%s", tt.custom, diff)
		}
	}
}

// An environment value from ${env.NAME} is a warning at the reference,
// naming the platform's own way to keep a secret out of its deploy spec.
func TestPlainSecrets(t *testing.T) {
	s, err := spec.Parse("f.yml", []byte("service: s\nprovider:\n  name: web\n  environment: {DB: '${env.DB}', MODE: prod}\nfunctions:\n  api: {handler: api}\n"),
		func(k string) string { return map[string]string{"DB": "s3cr3t"}[k] })
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ platform, want string }{
		{"web", "f.yml:4:22: provider.environment.DB: the value of ${env.DB} is written in plain text into the generated web deploy spec; if it is a secret, keep it out with a Kubernetes Secret: env[].valueFrom.secretKeyRef, or envFrom[].secretRef, on the container in platforms.web"},
		{"aws", "{{resolve:secretsmanager:"},
		{"fc", "${env('NAME')}"},
		{"scf", "serverless.yml's own ${env.NAME}"},
		{"gcf", "--set-secrets"},
	} {
		got := PlainSecrets(s, tt.platform)
		if len(got) != 1 || !strings.Contains(got[0].Error(), tt.want) {
			t.Errorf("%s: %v, want one warning with %q", tt.platform, got, tt.want)
		}
	}
}
