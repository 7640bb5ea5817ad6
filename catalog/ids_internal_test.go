package catalog

import (
	"path"
	"regexp"
	"testing"
)

// TestIDPointers checks that every id pointer of the catalog names a string
// of its sample, in each element where it has a "*".
func TestIDPointers(t *testing.T) {
	for i := range catalog {
		s := &catalog[i]
		if len(s.ids) == 0 {
			continue
		}
		data, err := files.ReadFile(path.Join("samples", s.Platform, s.Kind+".json"))
		if err != nil {
			t.Fatal(err)
		}
		d, err := parseDoc(data)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range s.ids {
			for _, p := range f.pointers {
				found := expandOne(d, p)
				if len(found) == 0 {
					t.Errorf("%s: %s points nowhere", s.Name, p)
				}
				for _, q := range found {
					pp, err := parsePointer(q)
					if err != nil {
						t.Fatalf("%s: %s: %v", s.Name, q, err)
					}
					if _, ok := d.str(pp); !ok {
						t.Errorf("%s: %s is not a string", s.Name, q)
					}
				}
			}
		}
	}
}

func TestNewID(t *testing.T) {
	tests := []struct{ form, want string }{
		{"aaaaaa-1111-bbbb-2222-cccccccccccc", `^[0-9a-f]{6}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`},
		{uuidForm, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$`},
		{"C3D13FE58DE4C810", `^[0-9A-F]{16}$`},
		{"2F5B3C082B923D4EAC694B76D928****", `^[0-9A-F]{32}$`},
		{"123345346", `^[0-9]{9}$`},
		{"LV7fzho-PHcEJPw=", `^[A-Z]{2}[0-9][a-z]{4}-[A-Z]{2}[a-z][A-Z]{3}[a-z]=$`},
		{"1-64f6cd87-*************", `^[0-9a-f]-[0-9a-f]{8}-[0-9a-f]{13}$`},
	}
	for _, tt := range tests {
		got := NewID(tt.form)
		if !regexp.MustCompile(tt.want).MatchString(got) {
			t.Errorf("NewID(%q) = %q, want the form %s", tt.form, got, tt.want)
		}
		if got == tt.form {
			t.Errorf("NewID(%q) is the form itself", tt.form)
		}
	}
}
