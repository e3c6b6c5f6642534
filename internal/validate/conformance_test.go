package validate

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/swagger"
)

//go:generate go test -run TestConformanceTestdataIsCurrent -update .

var update = flag.Bool("update", false, "rewrite testdata/conformance from the shared examples corpus")

const (
	conformanceDir = "testdata/conformance"
	corpusDir      = "../../../shared/azure/examples-corpus"
)

// conformanceCases are the committed PUT and PATCH request examples of the corpus.
func conformanceCases(t testing.TB) []swagger.Example {
	t.Helper()
	data, err := readGzipFile(filepath.Join(conformanceDir, "cases.json.gz"))
	if err != nil {
		t.Fatalf("%v (regenerate with go generate ./internal/validate)", err)
	}
	var cases []swagger.Example
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

func conformanceCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Open(catalog.Options{TypesDir: filepath.Join(conformanceDir, "types"), CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// caseKey names an example in the known-failures fixture.
func caseKey(e swagger.Example) string { return e.Method + " " + e.ExampleFile }

// TestConformanceExamples validates every PUT and PATCH request example that Microsoft wrote
// for 12 providers at its own API version: at least 98% must pass, and every one that fails
// must be listed in known-failures.txt with its reason.
func TestConformanceExamples(t *testing.T) {
	cases := conformanceCases(t)
	c := conformanceCatalog(t)
	known := readKnownFailures(t)
	ctx := context.Background()
	validated, failed := 0, map[string]string{}
	for _, e := range cases {
		r, err := c.SchemaByARMType(ctx, e.ARMType, e.APIVersion)
		if err != nil {
			t.Fatalf("%s: %v (the committed type data must hold every committed case)", caseKey(e), err)
		}
		body, err := Decode(e.ExampleFile, e.Body)
		if err != nil {
			t.Fatal(err)
		}
		validated++
		problems := Body(r, body, Options{Patch: e.Method == "PATCH", Name: e.ResourceName})
		if HasErrors(problems) {
			var msgs []string
			for _, p := range problems {
				if p.Severity == Error {
					msgs = append(msgs, p.String())
				}
			}
			failed[caseKey(e)] = strings.Join(msgs, "; ")
		}
	}
	if validated < 1000 {
		t.Fatalf("only %d examples validated", validated)
	}
	rate := 1 - float64(len(failed))/float64(validated)
	t.Logf("%d examples validated, %d with errors: %.2f%% pass", validated, len(failed), 100*rate)
	if rate < 0.98 {
		t.Errorf("pass rate %.2f%% is under 98%%", 100*rate)
	}
	for k, msg := range failed {
		if _, ok := known[k]; !ok {
			t.Errorf("unexplained failure %s: %s\n(fix gru, or list it in %s/known-failures.txt with a reason)", k, msg, conformanceDir)
		}
	}
	for k := range known {
		if _, ok := failed[k]; !ok {
			t.Errorf("%s is listed in known-failures.txt but passes now: remove it", k)
		}
	}
}

func readKnownFailures(t testing.TB) map[string]string {
	f, err := os.Open(filepath.Join(conformanceDir, "known-failures.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, reason, ok := strings.Cut(line, "\t")
		if !ok || strings.TrimSpace(reason) == "" {
			t.Fatalf("known-failures.txt: %q needs a tab and a one-line reason", line)
		}
		out[key] = reason
	}
	return out
}

// TestConformanceTestdataIsCurrent re-extracts the cases from the shared corpus and checks
// that the committed testdata equals them; with -update it rewrites the testdata.
func TestConformanceTestdataIsCurrent(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("the examples corpus is not beside the repository (%s): checking the committed subset only", corpusDir)
	}
	ctx := context.Background()
	examples, _, err := swagger.RequestExamples(ctx, filepath.Join(corpusDir, "specification"))
	if err != nil {
		t.Fatal(err)
	}
	full, err := catalog.Open(catalog.Options{TypesDir: filepath.Join(corpusDir, "bicep-types", "generated"), CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	// Keep the examples whose type the corpus's type data has at the example's version, and
	// the type files that hold them.
	var cases []swagger.Example
	files := map[string]bool{}
	fileOf := map[string]string{}
	for _, e := range examples {
		if _, err := full.SchemaByARMType(ctx, e.ARMType, e.APIVersion); err != nil {
			continue
		}
		cases = append(cases, e)
		key := strings.ToLower(e.ARMType + "@" + e.APIVersion)
		if _, done := fileOf[key]; !done {
			file, err := typeFileOf(filepath.Join(corpusDir, "bicep-types", "generated"), e.ARMType, e.APIVersion)
			if err != nil {
				t.Fatal(err)
			}
			fileOf[key] = file
		}
		files[fileOf[key]] = true
	}
	casesJSON, err := json.MarshalIndent(cases, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{"cases.json.gz": gzipBytes(t, casesJSON)}
	for f := range files {
		data, err := os.ReadFile(filepath.Join(corpusDir, "bicep-types", "generated", f))
		if err != nil {
			t.Fatal(err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, data); err != nil {
			t.Fatal(err)
		}
		want["types/"+filepath.ToSlash(f)+".gz"] = gzipBytes(t, compact.Bytes())
	}
	if *update {
		os.RemoveAll(filepath.Join(conformanceDir, "types"))
		for name, data := range want {
			p := filepath.Join(conformanceDir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		lic, err := os.ReadFile(filepath.Join(corpusDir, "LICENSE"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(conformanceDir, "LICENSE"), lic, 0o644); err != nil {
			t.Fatal(err)
		}
		bicepLicense, err := os.ReadFile(filepath.Join(corpusDir, "..", "bicep-types", "LICENSE"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(conformanceDir, "LICENSE-bicep-types"), bicepLicense, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %d cases and %d type files", len(cases), len(files))
	}
	var names []string
	for name := range want {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		got, err := os.ReadFile(filepath.Join(conformanceDir, filepath.FromSlash(name)))
		if err != nil || !bytes.Equal(got, want[name]) {
			t.Errorf("%s/%s differs from the corpus: regenerate with go generate ./internal/validate", conformanceDir, name)
		}
	}
}

// typeFileOf finds the types.json (relative to root) that holds a type at a version.
func typeFileOf(root, armType, version string) (string, error) {
	ns, _, _ := strings.Cut(armType, "/")
	matches, _ := filepath.Glob(filepath.Join(root, "*", strings.ToLower(ns), version, "types.json"))
	sort.Strings(matches)
	for _, m := range matches {
		data, err := os.ReadFile(m)
		if err != nil {
			return "", err
		}
		f, err := catalog.ParseTypesFile(data)
		if err != nil {
			return "", err
		}
		if f.Resource(armType) != nil {
			rel, _ := filepath.Rel(root, m)
			return rel, nil
		}
	}
	return "", fmt.Errorf("no type file holds %s@%s", armType, version)
}

func gzipBytes(t testing.TB, data []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readGzipFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	_, err = buf.ReadFrom(zr)
	return buf.Bytes(), err
}

// TestConformanceWithTheEmbeddedCatalogue validates every request example at its own API
// version with the catalogue gru embeds (every published version, no types folder): every
// version is held, and no example fails that does not fail with the corpus's own type data
// (known-failures.txt).
func TestConformanceWithTheEmbeddedCatalogue(t *testing.T) {
	cases := conformanceCases(t)
	c, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	known := readKnownFailures(t)
	ctx := context.Background()
	validated, notHeld := 0, 0
	for _, e := range cases {
		r, err := c.SchemaByARMType(ctx, e.ARMType, e.APIVersion)
		if err != nil {
			notHeld++
			t.Errorf("%s: %v", caseKey(e), err)
			continue
		}
		body, err := Decode(e.ExampleFile, e.Body)
		if err != nil {
			t.Fatal(err)
		}
		validated++
		if problems := Body(r, body, Options{Patch: e.Method == "PATCH", Name: e.ResourceName}); HasErrors(problems) {
			if _, ok := known[caseKey(e)]; !ok {
				var msgs []string
				for _, p := range problems {
					if p.Severity == Error {
						msgs = append(msgs, p.String())
					}
				}
				t.Errorf("false rejection %s: %s", caseKey(e), strings.Join(msgs, "; "))
			}
		}
	}
	t.Logf("%d examples validated with the embedded catalogue at their own versions, %d versions not held", validated, notHeld)
}
