//go:build ignore

// gen_grucloud writes data/grucloud-types.tsv from GruCloud's Azure type table
// (shared/grucloud/azure-types.json), keeping the order of its dependency keys:
//
//	go run gen_grucloud.go PATH/TO/azure-types.json
//
// One line per dependency key, a type without any having one line with the key columns
// empty: Group::Type, ARM type, API version, PUT path, key, Group::Type of the dependency,
// parent (1 or 0), list (1 or 0), pathId.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

type dep struct {
	Type, Group, PathID string
	Parent, List        bool
}

func main() {
	data, err := os.ReadFile(os.Args[1])
	check(err)
	var table []struct {
		Group        string          `json:"group"`
		Type         string          `json:"type"`
		ArmType      string          `json:"armType"`
		APIVersion   string          `json:"apiVersion"`
		PutPath      string          `json:"putPath"`
		Dependencies json.RawMessage `json:"dependencies"`
	}
	check(json.Unmarshal(data, &table))
	var out strings.Builder
	for _, e := range table {
		prefix := strings.Join([]string{e.Group + "::" + e.Type, e.ArmType, e.APIVersion, e.PutPath}, "\t")
		keys, deps := orderedDeps(e.Dependencies)
		if len(keys) == 0 {
			fmt.Fprintf(&out, "%s\t\t\t0\t0\t\n", prefix)
		}
		for i, k := range keys {
			d := deps[i]
			fmt.Fprintf(&out, "%s\t%s\t%s::%s\t%s\t%s\t%s\n", prefix, k, d.Group, d.Type, flag(d.Parent), flag(d.List), d.PathID)
		}
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	_, err = w.Write([]byte(out.String()))
	check(err)
	check(w.Close())
	check(os.WriteFile("data/grucloud-types.tsv.gz", gz.Bytes(), 0o644))
}

// orderedDeps reads the dependency object keeping its keys' order.
func orderedDeps(raw json.RawMessage) ([]string, []dep) {
	if len(raw) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	_, err := dec.Token() // {
	check(err)
	var keys []string
	var deps []dep
	for dec.More() {
		k, err := dec.Token()
		check(err)
		var d dep
		check(dec.Decode(&d))
		keys = append(keys, k.(string))
		deps = append(deps, d)
	}
	return keys, deps
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
