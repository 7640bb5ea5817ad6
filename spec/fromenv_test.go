package spec_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas/spec"
)

// Spec.FromEnv lists the environment values that came from the
// environment, where they are written, and nothing else that did.
func TestFromEnv(t *testing.T) {
	const file = `service: shop
provider:
  name: web
  region: ${env.REGION}
  environment:
    DB_PASSWORD: ${env.DB_PASSWORD}
    UNSET: ${env.UNSET}
functions:
  api:
    handler: api
    environment:
      TOKEN: "x-${env.TOKEN}"
`
	env := map[string]string{"REGION": "eu", "DB_PASSWORD": "s3cr3t", "TOKEN": "t"}
	s, err := spec.Parse("f.yml", []byte(file), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := []spec.EnvRef{
		{Name: "DB_PASSWORD", Path: "provider.environment.DB_PASSWORD", Pos: spec.Pos{Line: 6, Column: 18}},
		{Name: "TOKEN", Path: "functions.api.environment.TOKEN", Pos: spec.Pos{Line: 12, Column: 17}},
	}
	if diff := cmp.Diff(want, s.FromEnv); diff != "" {
		t.Errorf("FromEnv (-want +got):\n%s", diff)
	}
}
