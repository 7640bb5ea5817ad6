package artifact

import "testing"

func TestMainPackage(t *testing.T) {
	tests := []struct{ main, want string }{
		{"", "."},
		{".", "."},
		{"./", "."},
		{"cmd/api", "./cmd/api"},
		{"./cmd/api", "./cmd/api"},
		{"./cmd/../cmd/api/", "./cmd/api"},
		{"..", ".."},
		{"../other/cmd", "../other/cmd"},
		{"/src/app/cmd", "/src/app/cmd"},
	}
	for _, tt := range tests {
		if got := mainPackage(tt.main); got != tt.want {
			t.Errorf("mainPackage(%q) = %q, want %q", tt.main, got, tt.want)
		}
	}
}
