package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/schemaview"
	nearest "github.com/gru-iac/gru/internal/target"
	"github.com/gru-iac/gru/internal/validate"
)

func (g *globalOptions) catalog() (*catalog.Catalog, error) {
	return catalog.Open(catalog.Options{TypesDir: g.typesDir})
}

// resolveType looks a type up and settles the API version: --api-version, else one written
// after @ in the name, else the type's default.
func resolveType(c *catalog.Catalog, name, apiVersion string) (*catalog.TypeInfo, string, error) {
	ref, err := catalog.ParseTypeRef(name)
	if err != nil {
		return nil, "", err
	}
	t, err := c.Lookup(ref.Name)
	if err != nil {
		return nil, "", err
	}
	if apiVersion == "" {
		apiVersion = ref.APIVersion
	}
	if apiVersion == "" {
		apiVersion = t.DefaultVersion
	}
	return t, apiVersion, nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func newTypesCommand(g *globalOptions) *cobra.Command {
	var group, versionsOf string
	cmd := &cobra.Command{
		Use:   "types [filter]",
		Short: "List the ARM resource types gru knows",
		Long: `List every ARM resource type in gru's catalogue: its short name, ARM type and default API version.

The filter keeps types whose short name, ARM type or alias contains it (case-insensitive).
On a terminal the rows fit its width: a name too long is shortened in its middle ("...");
piped or redirected, and with --json, names are whole.
--versions TYPE lists every API version Azure publishes for a type, newest first, each marked
stable or preview, with the default (the newest stable, else the newest preview) and whether
gru holds its schema (every published version is embedded).`,
		Example: `  gru types privateEndpointConnection
  gru types --group Storage
  gru types --versions Network::VirtualNetwork
  gru types --json | jq '.[].armType'`,
		Args: argsExplained(0, 1, "", "one filter at most (a part of the names to find)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.catalog()
			if err != nil {
				return err
			}
			if versionsOf != "" {
				return writeVersions(cmd, g, c, versionsOf)
			}
			filter := ""
			if len(args) == 1 {
				filter = strings.ToLower(args[0])
			}
			type row struct {
				ShortName      string   `json:"shortName"`
				ARMType        string   `json:"armType"`
				DefaultVersion string   `json:"defaultVersion"`
				HeldVersions   []string `json:"heldVersions"`
				Aliases        []string `json:"aliases,omitempty"`
			}
			rows := []row{}
			for _, t := range c.Types() {
				if group != "" && !strings.EqualFold(t.Group(), group) {
					continue
				}
				if filter != "" && !matches(t, filter) {
					continue
				}
				rows = append(rows, row{t.ShortName, t.ARMType, t.DefaultVersion, t.HeldVersions(), t.Aliases})
			}
			out := cmd.OutOrStdout()
			if g.json {
				return writeJSON(out, rows)
			}
			if len(rows) == 0 {
				var near []string
				if filter != "" {
					names := map[string]bool{}
					for _, t := range c.Types() {
						names[t.Name()] = true
					}
					near = nearest.Nearest(args[0], slices.Sorted(maps.Keys(names)), 3)
				}
				if group != "" && !slices.ContainsFunc(c.Types(), func(t *catalog.TypeInfo) bool { return strings.EqualFold(t.Group(), group) }) {
					groups := map[string]bool{}
					for _, t := range c.Types() {
						groups[t.Group()] = true
					}
					if g := nearest.Nearest(group, slices.Sorted(maps.Keys(groups)), 3); len(g) > 0 {
						return fmt.Errorf("no type is of group %q%s", group, nearest.DidYouMean(g))
					}
				}
				msg := fmt.Sprintf("no type matches%s%s", quoteIf(" filter ", filter), quoteIf(" in group ", group))
				if len(near) > 0 {
					msg += nearest.DidYouMean(near)
				}
				return errors.New(msg)
			}
			table := [][]string{{"SHORT NAME", "ARM TYPE", "DEFAULT API VERSION"}}
			for _, r := range rows {
				table = append(table, []string{r.ShortName, r.ARMType, r.DefaultVersion})
			}
			if width := terminalWidth(out); width > 0 {
				table = fitColumns(table, 2, width-1, 0, 1)
			}
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			for _, r := range table {
				fmt.Fprintln(tw, strings.Join(r, "\t"))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintln(cmd.ErrOrStderr(), count(len(rows), "type"))
			return nil
		},
	}
	cmd.Flags().StringVar(&group, "group", "", "only types of this group (Storage, Network, ...)")
	cmd.Flags().StringVar(&versionsOf, "versions", "", "list the API versions of this type (Group::Type or ARM type)")
	return cmd
}

// terminalWidth is the width of the terminal w writes to, 0 when it is none.
func terminalWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0
	}
	if width, _, err := term.GetSize(int(f.Fd())); err == nil && width > 0 {
		return width
	}
	return 100
}

// fitColumns shortens the cells of two columns of a table (a and b; its rows padded with
// gap spaces between columns) so that its rows are width characters at most, splitting the
// room between them so that the fewest rows are shortened (each column 12 wide at least); a
// cell too long for its column loses its middle.
func fitColumns(table [][]string, gap, width, a, b int) [][]string {
	if len(table) == 0 {
		return table
	}
	widths := make([]int, len(table[0]))
	for _, r := range table {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	room := width - gap*(len(widths)-1) // for a and b
	for i, w := range widths {
		if i != a && i != b {
			room -= w
		}
	}
	if widths[a]+widths[b] <= room || room < 24 {
		return table // fits, or cannot
	}
	lens := make([][2]int, len(table))
	for j, r := range table {
		lens[j] = [2]int{utf8.RuneCountInString(r[a]), utf8.RuneCountInString(r[b])}
	}
	best, bestCut := 0, len(table)+1
	for wa := 12; wa <= room-12; wa++ {
		cut := 0
		for _, l := range lens {
			if l[0] > wa || l[1] > room-wa {
				cut++
			}
		}
		if cut < bestCut {
			best, bestCut = wa, cut
		}
	}
	widths[a], widths[b] = best, room-best
	out := make([][]string, len(table))
	for j, r := range table {
		out[j] = make([]string, len(r))
		for i, c := range r {
			out[j][i] = elideName(c, widths[i])
		}
	}
	return out
}

// elideName shortens a type name to n characters at most, keeping what tells it apart: its
// namespace or group, and its end, whole segments when they fit
// (Microsoft.Security/.../privateEndpointConnections, Security::...EndpointConnection).
func elideName(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := strings.IndexAny(s, "/:")
	if i < 0 {
		return elideMiddle(s, n)
	}
	head := s[:len(s)-len(strings.TrimLeft(s[i:], "/:"))] // the namespace, then its separator
	room := n - utf8.RuneCountInString(head) - 3
	if room < 6 {
		return elideMiddle(s, n)
	}
	rest := s[len(head):]
	// the longest tail of whole segments that fits, else the end's characters
	for j := 0; j < len(rest); j++ {
		if (rest[j] == '/' || rest[j] == ':') && utf8.RuneCountInString(rest[j:]) <= room {
			return head + "..." + rest[j:]
		}
	}
	r := []rune(rest)
	return head + "..." + string(r[len(r)-room:])
}

// writeVersions lists a type's API versions, newest first, stable or preview, default, held.
func writeVersions(cmd *cobra.Command, g *globalOptions, c *catalog.Catalog, name string) error {
	t, err := c.Lookup(name)
	if err != nil {
		return err
	}
	known, err := c.KnownVersions(t.ARMType)
	if err != nil {
		return err
	}
	held := map[string]bool{}
	for _, v := range t.HeldVersions() {
		held[v] = true
	}
	type row struct {
		Version string `json:"version"`
		Stable  bool   `json:"stable"`
		Default bool   `json:"default"`
		Held    bool   `json:"held"`
		// FromTypesDir marks a version only the --types-dir folder holds.
		FromTypesDir bool `json:"fromTypesDir,omitempty"`
	}
	versions := slices.Clone(known)
	for _, v := range c.Held(cmd.Context(), t) {
		if !held[v] && !slices.Contains(versions, v) {
			versions = append(versions, v)
		}
	}
	slices.Sort(versions)
	rows := []row{}
	for i := len(versions) - 1; i >= 0; i-- {
		v := versions[i]
		fromDir := !held[v] && !slices.Contains(known, v)
		rows = append(rows, row{v, !strings.Contains(strings.ToLower(v), "preview"), v == t.DefaultVersion, held[v] || fromDir, fromDir})
	}
	out := cmd.OutOrStdout()
	if g.json {
		return writeJSON(out, map[string]any{"shortName": t.ShortName, "armType": t.ARMType, "versions": rows})
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "API VERSION\tKIND\t%s (%s)\n", t.ShortName, t.ARMType)
	for _, r := range rows {
		kind := "stable"
		if !r.Stable {
			kind = "preview"
		}
		var notes []string
		if r.Default {
			notes = append(notes, "default")
		}
		if r.FromTypesDir {
			notes = append(notes, "from --types-dir")
		}
		if !r.Held {
			notes = append(notes, "schema not held")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Version, kind, strings.Join(notes, ", "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(cmd.ErrOrStderr(), count(len(rows), "API version"))
	return nil
}

func matches(t *catalog.TypeInfo, filter string) bool {
	if strings.Contains(strings.ToLower(t.ShortName), filter) || strings.Contains(strings.ToLower(t.ARMType), filter) {
		return true
	}
	for _, a := range t.Aliases {
		if strings.Contains(strings.ToLower(a), filter) {
			return true
		}
	}
	return false
}

func quoteIf(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + fmt.Sprintf("%q", s)
}

func newSchemaCommand(g *globalOptions) *cobra.Command {
	var apiVersion, diffFrom string
	var depth int
	cmd := &cobra.Command{
		Use:   "schema <type> [--diff V1 [V2]]",
		Short: "Show the body schema of a resource type",
		Long: `Show a resource type's facts (ARM type, API versions, deployment scopes, parent) and its body
schema as a property tree: each property with its type, its flags (required, read-only,
write-only, deploy-time constant, identifier) and its description.

Enum values are written "A" | "B"; a trailing "| string" means ARM accepts other strings too.

--diff V1 [V2] shows what changed from API version V1 to V2 (default: the type's default
version): properties added (+) or removed (-), types changed, enum values added or removed,
and flags (required, read-only, write-only, secret) gained or lost (~). What a project moving
from V1 to V2 must look at.`,
		Example: `  gru schema Storage::PrivateEndpointConnection --api-version 2021-06-01
  gru schema Microsoft.Network/virtualNetworks --depth 2
  gru schema Storage::StorageAccount --json
  gru schema Network::VirtualNetwork --diff 2020-11-01 2024-05-01`,
		Args: argsExplained(1, 2, "name the resource type to show, as in gru schema Storage::StorageAccount "+
			"(or its ARM type, Microsoft.Storage/storageAccounts); gru types FILTER finds types (gru types storageaccount), gru types --group Storage lists a group's",
			"a type, and with --diff V1 a second API version (V2)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.catalog()
			if err != nil {
				return err
			}
			if diffFrom != "" {
				to := apiVersion // --diff V1 --api-version V2 reads as --diff V1 V2
				if len(args) == 2 {
					if to != "" && to != args[1] {
						return fmt.Errorf("--diff %s compares with %s or with --api-version %s: give one", diffFrom, args[1], to)
					}
					to = args[1]
				}
				return writeSchemaDiff(cmd, g, c, args[0], diffFrom, to)
			}
			if len(args) == 2 {
				return fmt.Errorf("one type, unless --diff V1 V2 compares two of its versions")
			}
			t, v, err := resolveType(c, args[0], apiVersion)
			if err != nil {
				return err
			}
			r, err := c.Schema(cmd.Context(), t, v)
			if err != nil {
				return err
			}
			parent := ""
			if p := t.ParentType(); p != "" {
				parent = p
				if pt, err := c.Lookup(p); err == nil {
					parent = pt.ShortName + " (" + pt.ARMType + ")"
				}
			}
			known, err := c.KnownVersions(t.ARMType)
			if err != nil {
				return err
			}
			h := schemaview.NewHeader(t, r, parent, known)
			if g.json {
				return schemaview.WriteJSON(cmd.OutOrStdout(), h, r.Body)
			}
			return schemaview.WriteText(cmd.OutOrStdout(), h, r.Body, depth)
		},
	}
	cmd.Flags().StringVar(&apiVersion, "api-version", "", "API version (default: the type's default version)")
	cmd.Flags().IntVar(&depth, "depth", 0, "show properties this many levels deep at most (0: all)")
	cmd.Flags().StringVar(&diffFrom, "diff", "", "show what changed from this API version to the next argument's (default: the default version)")
	return cmd
}

// writeSchemaDiff writes what changed in a type's body from one API version to another.
func writeSchemaDiff(cmd *cobra.Command, g *globalOptions, c *catalog.Catalog, name, from, to string) error {
	t, err := c.Lookup(name)
	if err != nil {
		return err
	}
	if to == "" {
		to = t.DefaultVersion
	}
	a, err := c.Schema(cmd.Context(), t, from)
	if err != nil {
		return err
	}
	b, err := c.Schema(cmd.Context(), t, to)
	if err != nil {
		return err
	}
	changes := schemaview.Diff(a.Body, b.Body)
	if g.json {
		return schemaview.WriteDiffJSON(cmd.OutOrStdout(), t.ShortName, from, to, changes)
	}
	return schemaview.WriteDiffText(cmd.OutOrStdout(), t.ShortName, from, to, changes)
}

func newValidateCommand(g *globalOptions) *cobra.Command {
	var typeName, apiVersion, name string
	var patch, strict bool
	cmd := &cobra.Command{
		Use:   "validate <file.json>",
		Short: "Validate a request body against a resource type's schema",
		Long: `Validate a JSON request body (as sent in a PUT, or with --patch a PATCH) against the schema of
a resource type, without sending anything. Every problem is listed with its JSON path.

Errors are what ARM would refuse or misread: wrong types, values outside an enum (compared
case-insensitively, as ARM does), missing required properties, broken constraints, unknown
discriminator values. Warnings are what ARM ignores: read-only and unknown properties.

Every published API version of every type is embedded. A version gru does not know (newer than
its data; see --types-dir) is not validated: a warning says so, and with --strict it is an
error.

Exit status: 0 when the body has no error, 1 when it has errors or cannot be read (or, with
--strict, has unknown properties or could not be validated, as plan and apply --strict). Use -
as the file to read standard input.`,
		Example: `  gru validate body.json --type Storage::PrivateEndpointConnection --api-version 2021-06-01
  gru validate patch.json --type Microsoft.Storage/storageAccounts --patch --json`,
		Args: argsExplained(1, 1, "name the JSON file of the request body to validate (- for standard input), "+
			"as in gru validate body.json --type Storage::StorageAccount", "one file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if typeName == "" {
				return errors.New("--type is required: the resource type the body is for, such as Storage::StorageAccount")
			}
			file := args[0]
			var data []byte
			var err error
			if file == "-" {
				data, err = io.ReadAll(cmd.InOrStdin())
				file = "(stdin)"
			} else {
				data, err = os.ReadFile(file)
			}
			if err != nil {
				return err
			}
			body, err := validate.Decode(file, data)
			if err != nil {
				return err
			}
			c, err := g.catalog()
			if err != nil {
				return err
			}
			t, v, err := resolveType(c, typeName, apiVersion)
			if err != nil {
				return err
			}
			r, err := c.Schema(cmd.Context(), t, v)
			var notHeld *catalog.VersionNotHeldError
			if errors.As(err, &notHeld) && strict {
				return fmt.Errorf("%s: not validated (--strict): %w", file, err)
			}
			if errors.As(err, &notHeld) {
				if !g.json { // the JSON says it
					fmt.Fprintf(cmd.ErrOrStderr(), "warning: %s: not validated: %v\n", file, err)
				}
				if g.json {
					return writeJSON(cmd.OutOrStdout(), map[string]any{"file": file, "type": t.ShortName, "apiVersion": v, "validated": false, "warning": err.Error(), "problems": []validate.Problem{}})
				}
				return nil
			}
			if err != nil {
				return err
			}
			problems := validate.Body(r, body, validate.Options{Patch: patch, Name: name})
			if problems == nil {
				problems = []validate.Problem{}
			}
			if strict {
				// As plan and apply --strict: an unknown property is an error.
				for i, p := range problems {
					if p.Severity == validate.Warning && strings.HasPrefix(p.Message, "unknown property") {
						problems[i].Severity = validate.Error
						problems[i].Message += " (an error with --strict)"
					}
				}
			}
			out := cmd.OutOrStdout()
			if g.json {
				if err := writeJSON(out, map[string]any{"file": file, "type": t.ShortName, "apiVersion": v, "validated": true, "valid": !validate.HasErrors(problems), "problems": problems}); err != nil {
					return err
				}
			} else {
				errs := 0
				for _, p := range problems {
					if p.Severity == validate.Error {
						errs++
					}
					fmt.Fprintf(out, "%s: %-7s %s\n", file, p.Severity, p)
				}
				summary := fmt.Sprintf("%s: %s@%s: %s, %s", file, t.ShortName, v, count(errs, "error"), count(len(problems)-errs, "warning"))
				if errs == 0 {
					summary += ": valid"
				}
				fmt.Fprintln(out, summary)
			}
			if validate.HasErrors(problems) {
				return exitError{1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&typeName, "type", "", "resource type of the body (Group::Type or ARM type) (required)")
	cmd.Flags().StringVar(&apiVersion, "api-version", "", "API version (default: the type's default version)")
	cmd.Flags().BoolVar(&patch, "patch", false, "the body is a PATCH: required properties are not enforced")
	cmd.Flags().BoolVar(&strict, "strict", false, "make warnings errors (exit 1): unknown properties, and a body that cannot be validated (an API version gru does not know)")
	cmd.Flags().StringVar(&name, "name", "", "the resource's name, for the few types whose body shape depends on it")
	return cmd
}

// count writes a number with its noun, plural unless one.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func jsonIndent(v any) ([]byte, error) {
	return json.MarshalIndent(v, "", "  ")
}
