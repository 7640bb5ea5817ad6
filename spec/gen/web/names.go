package web

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/anyfaas/faas/spec"
)

// dnsLabel is what Knative takes as the name of a Service, and what this
// package gives every resource: an RFC 1035 label (a lower-case letter,
// then lower-case letters, digits and '-', not ending with '-').
var dnsLabel = regexp.MustCompile(`^[a-z]([-a-z0-9]*[a-z0-9])?$`)

// maxName is the longest RFC 1035 label.
const maxName = 63

// resourceName joins f.yml names with '-' into a resource name: lower
// case, '_' as '-'. It reports why the result is not a valid name.
func resourceName(parts ...string) (string, error) {
	n := strings.ToLower(strings.ReplaceAll(strings.Join(parts, "-"), "_", "-"))
	switch {
	case len(n) > maxName:
		return n, fmt.Errorf("%q is longer than %d characters", n, maxName)
	case !dnsLabel.MatchString(n):
		return n, fmt.Errorf("%q must start with a letter, hold only letters, digits and '-', and not end with '-'", n)
	}
	return n, nil
}

// labelValue is name as a label value: lower case, '_' as '-', without '-'
// at either end.
func labelValue(name string) string {
	return strings.Trim(strings.ToLower(strings.ReplaceAll(name, "_", "-")), "-")
}

// unitWhere returns where f.yml declares a unit: its aggregation group, or
// its function.
func unitWhere(u *spec.Unit) (spec.Pos, string) {
	if u.Group != nil {
		return u.Group.Pos, "aggregation." + u.Group.Name
	}
	if len(u.Functions) > 0 {
		return u.Functions[0].Pos, "functions." + u.Functions[0].Name
	}
	return spec.Pos{}, ""
}

// nameForm is how a resource's name is made, for errors: <service>-<what>,
// or <service>-<stage>-<what> when the provider sets a stage.
func nameForm(s *spec.Spec, what string) string {
	if s.Provider.Stage != "" {
		return "<service>-<stage>-<" + what + ">"
	}
	return "<service>-<" + what + ">"
}

// reservedEnv are the environment variables Knative sets itself and
// refuses in a Service.
var reservedEnv = []string{"K_CONFIGURATION", "K_REVISION", "K_SERVICE", "PORT"}
