package emulator

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

func TestTokensEqual(t *testing.T) {
	for _, tc := range []struct {
		presented, expected string
		want                bool
	}{
		{"secret", "secret", true},
		{"secre", "secret", false},   // a prefix
		{"secrets", "secret", false}, // longer
		{"Secret", "secret", false},  // tokens are case-sensitive
		{"", "secret", false},
		{"secret ", "secret", false},
	} {
		if got := tokensEqual(tc.presented, tc.expected); got != tc.want {
			t.Errorf("tokensEqual(%q, %q) = %v", tc.presented, tc.expected, got)
		}
	}
	srv := newServer(t, Options{Token: "secret"})
	for token, want := range map[string]int{"secret": 200, "secre": 401, "secrets": 401, "SECRET": 401} {
		if s, _, _ := call(t, srv, "GET", "/subscriptions?api-version=2022-12-01", token, ""); s != want {
			t.Errorf("token %q: %d, want %d", token, s, want)
		}
	}
}

// TestTokenComparedInConstantTime guards the emulator's sources: the configured token is never
// compared with == or != (whose time tells how much of a guess was right), only through
// tokensEqual, which uses crypto/subtle.
func TestTokenComparedInConstantTime(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	isToken := func(e ast.Expr) bool {
		sel, ok := e.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "Token" {
			return false
		}
		inner, ok := sel.X.(*ast.SelectorExpr)
		return ok && inner.Sel.Name == "opts"
	}
	isEmpty := func(e ast.Expr) bool {
		lit, ok := e.(*ast.BasicLit)
		return ok && (lit.Value == `""` || lit.Value == "``")
	}
	usesSubtle := false
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BinaryExpr:
				if (n.Op == token.EQL || n.Op == token.NEQ) && (isToken(n.X) && !isEmpty(n.Y) || isToken(n.Y) && !isEmpty(n.X)) {
					t.Errorf("%s: the token is compared with %s, not in constant time", fset.Position(n.Pos()), n.Op)
				}
			case *ast.FuncDecl:
				if n.Name.Name == "tokensEqual" {
					ast.Inspect(n, func(m ast.Node) bool {
						if sel, ok := m.(*ast.SelectorExpr); ok && sel.Sel.Name == "ConstantTimeCompare" {
							usesSubtle = true
						}
						return true
					})
				}
			}
			return true
		})
	}
	if !usesSubtle {
		t.Error("tokensEqual does not use subtle.ConstantTimeCompare")
	}
}
