package emulator

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"

	"github.com/gru-iac/gru/internal/armid"
)

// filterClause is one "field eq 'value'" of a $filter.
type filterClause struct{ field, value string }

// parseFilter reads the $filter forms ARM's resource lists take: clauses
// "resourceType eq '...'", "name eq '...'", "location eq '...'", "tagName eq '...'" and
// "tagValue eq '...'", joined with "and".
func parseFilter(s string) ([]filterClause, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []filterClause
	for _, part := range splitAnd(s) {
		f := strings.SplitN(strings.TrimSpace(part), " ", 3)
		if len(f) != 3 || !strings.EqualFold(f[1], "eq") || len(f[2]) < 2 || f[2][0] != '\'' || f[2][len(f[2])-1] != '\'' {
			return nil, newError(http.StatusBadRequest, "InvalidFilterInQueryString", "The $filter '%s' is not supported: write field eq 'value' clauses joined by and.", s)
		}
		field := strings.ToLower(f[0])
		switch field {
		case "resourcetype", "name", "location", "tagname", "tagvalue":
		default:
			return nil, newError(http.StatusBadRequest, "InvalidFilterInQueryString", "The $filter field '%s' is not supported; use resourceType, name, location, tagName or tagValue.", f[0])
		}
		out = append(out, filterClause{field: field, value: strings.ReplaceAll(f[2][1:len(f[2])-1], "''", "'")})
	}
	return out, nil
}

func splitAnd(s string) []string {
	var parts []string
	lower := strings.ToLower(s)
	for {
		i := strings.Index(lower, " and ")
		if i < 0 {
			return append(parts, s)
		}
		parts = append(parts, s[:i])
		s, lower = s[i+5:], lower[i+5:]
	}
}

// matches applies filter clauses to a resource body. A tagValue clause goes with the
// tagName clause before it.
func matches(clauses []filterClause, rec *record) bool {
	var body struct {
		Name     string            `json:"name"`
		Type     string            `json:"type"`
		Location string            `json:"location"`
		Tags     map[string]string `json:"tags"`
	}
	json.Unmarshal([]byte(rec.Body), &body)
	tagName := ""
	for _, c := range clauses {
		switch c.field {
		case "resourcetype":
			if !strings.EqualFold(body.Type, c.value) {
				return false
			}
		case "name":
			if !strings.EqualFold(body.Name, c.value) {
				return false
			}
		case "location":
			if NormalizeLocation(c.value) != body.Location {
				return false
			}
		case "tagname":
			tagName = c.value
			found := false
			for k := range body.Tags {
				found = found || strings.EqualFold(k, c.value)
			}
			if !found {
				return false
			}
		case "tagvalue":
			found := false
			for k, v := range body.Tags {
				found = found || (tagName == "" || strings.EqualFold(k, tagName)) && v == c.value
			}
			if !found {
				return false
			}
		}
	}
	return true
}

// listResources answers /subscriptions/{s}/resources and .../resourceGroups/{rg}/resources:
// the top-level resources of the scope, filtered.
func (e *Emulator) listResources(r *request, sub, group string) error {
	if r.Method != http.MethodGet {
		return methodNotAllowed(r)
	}
	if _, err := e.subscription(sub); err != nil {
		return err
	}
	if group != "" {
		rec, err := e.store.get(r.Context(), armid.ResourceGroup(sub, group).Key(), r.now)
		if err != nil {
			return err
		}
		if rec == nil {
			return newError(http.StatusNotFound, "ResourceGroupNotFound", "Resource group '%s' could not be found.", group)
		}
	}
	clauses, err := parseFilter(r.URL.Query().Get("$filter"))
	if err != nil {
		return err
	}
	after := r.URL.Query().Get("$skiptoken")
	var page []*record
	for len(page) <= e.opts.PageSize {
		batch, err := e.store.topLevel(r.Context(), strings.ToLower(sub), strings.ToLower(group), after, 500, r.now)
		if err != nil {
			return err
		}
		for _, rec := range batch {
			if matches(clauses, rec) {
				page = append(page, rec)
			}
		}
		if len(batch) < 500 {
			break
		}
		after = batch[len(batch)-1].Key
	}
	e.writePage(r, page)
	return nil
}

// commonLocations are the regions the emulator offers for every type.
func commonLocations() []string {
	return []string{"East US", "East US 2", "West US", "West US 2", "Central US", "North Europe", "West Europe", "UK South", "France Central", "Germany West Central", "Southeast Asia", "Japan East", "Australia East"}
}

// provider answers GET /subscriptions/{s}/providers/{namespace} (and /providers/{namespace}),
// and POST .../{namespace}/register: every provider is registered in the local cloud.
func (e *Emulator) provider(r *request, sub, rest string) error {
	ns, action, _ := strings.Cut(rest, "/")
	if sub != "" {
		if _, err := e.subscription(sub); err != nil {
			return err
		}
	}
	switch {
	case action == "" && r.Method == http.MethodGet:
	case strings.EqualFold(action, "register") && r.Method == http.MethodPost:
	case action != "" && r.Method == http.MethodPost && sub != "":
		return e.providerAction(r, ns, action)
	default:
		return methodNotAllowed(r)
	}
	prefix := strings.ToLower(ns) + "/"
	var types []map[string]any
	canonical := ""
	for _, t := range e.catalog.Types() {
		if !strings.HasPrefix(strings.ToLower(t.ARMType), prefix) {
			continue
		}
		canonical = t.Namespace()
		versions, err := e.catalog.KnownVersions(t.ARMType)
		if err != nil {
			return err
		}
		newest := append([]string{}, versions...)
		sort.Sort(sort.Reverse(sort.StringSlice(newest)))
		types = append(types, map[string]any{
			"resourceType": t.ARMType[len(prefix):], "locations": commonLocations(), "apiVersions": newest, "capabilities": "None",
		})
	}
	if canonical == "" {
		return newError(http.StatusNotFound, "InvalidResourceNamespace", "The resource namespace '%s' is invalid.", ns)
	}
	id := "/providers/" + canonical
	if sub != "" {
		id = "/subscriptions/" + sub + id
	}
	writeJSON(r.w, http.StatusOK, map[string]any{"id": id, "namespace": canonical, "registrationState": "Registered", "registrationPolicy": "RegistrationRequired", "resourceTypes": types})
	return nil
}
