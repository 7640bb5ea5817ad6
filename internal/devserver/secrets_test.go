package devserver_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/anyfaas/faas/emulator/fc"
	"github.com/anyfaas/faas/internal/devserver"
)

// devCredentials are the credentials anyfaas dev's units get: the
// made-up ones each emulator gives the process, as its platform gives it
// its role's, and a client's bearer token.
var devCredentials = []string{
	"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", // emulator/aws, AWS_SECRET_ACCESS_KEY
	fc.AccessKeySecret, fc.SecurityToken,       // emulator/fc, x-fc-access-key-secret, x-fc-security-token
	"emulator-secret-key-not-valid", "emulator-session-token-not-valid", "AKIDEMULATOR0", // emulator/scf, TENCENTCLOUD_SECRET*
	"devserver-bearer-token-5e6f7a",
}

// anyfaas dev, on every platform, serving requests that carry a bearer
// token, routing ones that fail, and events, then stopping: no byte of
// what it writes (its own lines, the units' output, the platforms' log
// lines) nor of its answers holds a credential.
func TestNoCredentialInDevOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a project")
	}
	dir := project(t, "v1")
	for _, platform := range []string{"web", "aws", "fc", "scf", "gcf"} {
		t.Run(platform, func(t *testing.T) {
			log := newLog()
			srv, err := devserver.New(devserver.Config{
				Dir: dir, Platform: platform, Addr: "127.0.0.1:0", Log: log, Poll: -1,
				Emulator: devserver.NewEmulator, Event: sample,
			})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() { done <- srv.Run(ctx) }()
			log.wait(t, 0, "anyfaas dev: built in ")
			var answers strings.Builder
			for _, c := range []struct{ method, path, body string }{
				{"GET", "/hello?name=ada", ""},
				{"GET", "/items/42", ""},
				{"POST", "/hello", `{"a":1}`},
				{"GET", "/nowhere", ""},
				{"POST", "/_anyfaas/invoke/tick?trigger=timer&payload=by-hand", ""},
				{"POST", "/_anyfaas/invoke/tick", `{"a":`},
			} {
				req, _ := http.NewRequest(c.method, srv.URL()+c.path, strings.NewReader(c.body))
				req.Header.Set("Authorization", "Bearer "+devCredentials[len(devCredentials)-1])
				req.Header.Set("Cookie", "session="+devCredentials[len(devCredentials)-1])
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				fmt.Fprintf(&answers, "%d %v %s\n", res.StatusCode, res.Header, body)
			}
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run = %v", err)
			}
			for name, text := range map[string]string{"the output": log.String(), "the answers": answers.String()} {
				for _, s := range devCredentials {
					if i := strings.Index(text, s); i >= 0 {
						t.Errorf("%s holds the credential %q: …%s…", name, s, text[max(0, i-200):min(len(text), i+len(s)+50)])
					}
				}
			}
			if !strings.Contains(answers.String(), `"message":"v1"`) {
				t.Errorf("the dev server did not serve the project:\n%s\n%s", answers.String(), log)
			}
		})
	}
}
