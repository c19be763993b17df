package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// codeConstructors build an *apperr.Error from a code string.
var codeConstructors = map[string]bool{"New": true}

// TestWireCodesAreDeclaredInCatalogues keeps each package's wire codes in
// its errors.go: outside those files, no apperr constructor is given a
// literal code and no apperr.Code or apperr.Family is declared. A code's
// spelling and kind (hence HTTP status) are then stated exactly once.
func TestWireCodesAreDeclaredInCatalogues(t *testing.T) {
	root := ".."
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "apperr") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") ||
			filepath.Base(path) == "errors.go" {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if fn := apperrSelector(n.Fun); codeConstructors[fn] {
					arg := 0
					if fn == "New" {
						arg = 1 // New(kind, code, ...)
					}
					if len(n.Args) > arg {
						if lit, ok := n.Args[arg].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							t.Errorf("%s: apperr.%s with the literal code %s: declare it in the package's errors.go", path, fn, lit.Value)
						}
					}
				}
			case *ast.CompositeLit:
				if typ := apperrSelector(n.Type); typ == "Code" || typ == "Family" {
					t.Errorf("%s: an apperr.%s declared outside errors.go", path, typ)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("only %d files checked", checked)
	}
}

// apperrSelector returns X for an expression apperr.X, else "".
func apperrSelector(e ast.Expr) string {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "apperr" {
		return sel.Sel.Name
	}
	return ""
}
