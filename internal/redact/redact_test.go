package redact

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSensitive(t *testing.T) {
	for _, name := range []string{
		"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Fc-Access-Key-Id", "X-Fc-Access-Key-Secret",
		"x-fc-security-token", "TENCENTCLOUD_SECRETID", "TENCENTCLOUD_SECRETKEY", "TENCENTCLOUD_SESSIONTOKEN",
		"AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN", "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
		"X-Api-Key", "X-Amz-Security-Token", "access_token", "client_secret", "password",
		"X-Goog-Iap-Jwt-Assertion", "key", "KEY", "sig",
	} {
		if !Sensitive(name) {
			t.Errorf("Sensitive(%q) = false", name)
		}
	}
	for _, name := range []string{"Content-Type", "X-Fc-Request-Id", "Host", "SCF_FUNCTIONNAME", "page", "X-Forwarded-For",
		"monkey", "design", "key_id"} {
		if Sensitive(name) {
			t.Errorf("Sensitive(%q) = true", name)
		}
	}
}

func TestMask(t *testing.T) {
	h := http.Header{"Authorization": {"Bearer s"}, "Accept": {"*/*"}, "Cookie": {"a=1", "b=2"}}
	want := http.Header{"Authorization": {Mask}, "Accept": {"*/*"}, "Cookie": {Mask, Mask}}
	if diff := cmp.Diff(want, Header(h)); diff != "" {
		t.Errorf("Header (-want +got):\n%s", diff)
	}
	if h.Get("Authorization") != "Bearer s" {
		t.Error("Header changed its argument")
	}
	if q := (url.Values{"page": {"1"}}); Query(q)["page"][0] != "1" {
		t.Error("Query masked a plain parameter")
	}
	if got := Query(url.Values{"access_token": {"t"}}); got.Get("access_token") != Mask {
		t.Errorf("Query = %v", got)
	}
	env := map[string]string{"TENCENTCLOUD_SECRETKEY": "k", "SCF_NAMESPACE": "default"}
	if diff := cmp.Diff(map[string]string{"TENCENTCLOUD_SECRETKEY": Mask, "SCF_NAMESPACE": "default"}, Map(env)); diff != "" {
		t.Errorf("Map (-want +got):\n%s", diff)
	}
}

func TestRawQuery(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"", ""},
		{"b=1&a=2", "b=1&a=2"}, // nothing masked: as it was, in its order
		{"page=2&token=abc&z=1", "page=2&token=" + Mask + "&z=1"},
		{"api%5Fkey=abc&key=g&sig=s", "api%5Fkey=" + Mask + "&key=" + Mask + "&sig=" + Mask},
		{"token", "token=" + Mask},
		{"a=%zz&password=p", "a=%zz&password=" + Mask},
		{"%zz=1", "%zz=1"},
		{"page=1;token=s&b=2", "page=1;token=" + Mask + "&b=2"},
		{"a&&b", "a&&b"},
		{"token=s&", "token=" + Mask + "&"},
		{"&token=s", "&token=" + Mask},
		{"=x", "=x"},
		{"token=a=b", "token=" + Mask},
	}
	for _, tt := range tests {
		if got := RawQuery(tt.raw); got != tt.want {
			t.Errorf("RawQuery(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}

func TestURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.com/a?b=1", "https://example.com/a?b=1"},
		{"https://ada:pw@example.com/a?token=t&b=1", "https://ada:%5BREDACTED%5D@example.com/a?token=" + Mask + "&b=1"},
		{"https://ada@example.com/", "https://ada@example.com/"},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := URL(u); got != tt.want {
			t.Errorf("URL(%s) = %s, want %s", tt.in, got, tt.want)
		}
		if u.String() != tt.in {
			t.Errorf("URL changed its argument: %s", u)
		}
	}
	if got := URL(nil); got != "" {
		t.Errorf("URL(nil) = %q", got)
	}
}
