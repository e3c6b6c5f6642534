package swagger

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
)

// The documents below are small swagger files in the shape of azure-rest-api-specs: a
// provider's spec that refers to a common-types file by a relative path.
const commonTypes = `{
  "swagger": "2.0", "info": {"version": "5.0"}, "paths": {},
  "definitions": {
    "Resource": {"type": "object", "properties": {
      "id": {"type": "string", "readOnly": true},
      "name": {"type": "string", "readOnly": true},
      "type": {"type": "string", "readOnly": true},
      "systemData": {"$ref": "#/definitions/systemData", "readOnly": true}}},
    "TrackedResource": {"type": "object", "required": ["location"], "allOf": [{"$ref": "#/definitions/Resource"}],
      "properties": {"location": {"type": "string"}, "tags": {"type": "object", "additionalProperties": {"type": "string"}}}},
    "systemData": {"type": "object", "properties": {"createdAt": {"type": "string", "format": "date-time"}}},
    "ErrorResponse": {"type": "object", "properties": {"error": {"type": "object", "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}}
  }
}`

const widgetSpec = `{
  "swagger": "2.0", "info": {"version": "2024-01-01"},
  "paths": {
    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Contoso.Widgets/widgets/{widgetName}": {
      "parameters": [],
      "put": {"operationId": "Widgets_Create", "x-ms-examples": {"Create a widget": {"$ref": "./examples/x.json"}}, "responses": {
        "200": {"schema": {"$ref": "#/definitions/Widget"}},
        "201": {"schema": {"$ref": "#/definitions/Widget"}},
        "default": {"schema": {"$ref": "../../../common/types.json#/definitions/ErrorResponse"}}}},
      "get": {"operationId": "Widgets_Get", "responses": {"200": {"schema": {"$ref": "#/definitions/Widget"}}}},
      "delete": {"operationId": "Widgets_Delete", "responses": {"200": {}, "202": {}, "204": {}}}
    },
    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Contoso.Widgets/widgets/{widgetName}/parts/default": {
      "get": {"operationId": "Parts_GetDefault", "responses": {"200": {"schema": {"$ref": "#/definitions/Part"}}}}
    },
    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Contoso.Widgets/widgets/{widgetName}/parts/{partName}": {
      "get": {"operationId": "Parts_Get", "responses": {"200": {"schema": {"$ref": "#/definitions/Part"}}}}
    },
    "/{resourceId}": {
      "get": {"operationId": "Generic_GetById", "responses": {"200": {"schema": {"type": "object"}}}}
    },
    "/{scope}/providers/Contoso.Widgets/notes/{noteName}": {
      "get": {"operationId": "Notes_Get", "responses": {"200": {"schema": {"type": "object", "properties": {"text": {"type": "string"}}}}}}
    }
  },
  "definitions": {
    "Widget": {"type": "object", "allOf": [{"$ref": "../../../common/types.json#/definitions/TrackedResource"}],
      "properties": {
        "kind": {"type": "string", "enum": ["Small", "Large"]},
        "sku": {"$ref": "#/definitions/Sku"},
        "properties": {"$ref": "#/definitions/WidgetProperties", "x-ms-client-flatten": true},
        "shape": {"$ref": "#/definitions/Shape"}}},
    "Sku": {"type": "object", "required": ["name"], "properties": {
      "name": {"type": "string", "enum": ["Basic", "Premium"], "x-ms-enum": {"name": "SkuName", "modelAsString": true}},
      "tier": {"type": "string", "enum": ["Standard"], "x-ms-enum": {"name": "Tier", "modelAsString": false}}}},
    "WidgetProperties": {"type": "object", "properties": {
      "provisioningState": {"type": "string", "readOnly": true, "enum": ["Succeeded", "Failed"]},
      "count": {"type": "integer", "format": "int32"},
      "ratio": {"type": "number"},
      "enabled": {"type": "boolean"},
      "ownerId": {"type": "string", "format": "uuid"},
      "createdAt": {"type": "string", "format": "date-time"},
      "labels": {"type": "array", "items": {"type": "string"}},
      "ports": {"type": "array", "items": {"$ref": "#/definitions/Port"}},
      "note": {"type": "string", "x-nullable": true},
      "strict": {"type": "object", "additionalProperties": false, "properties": {"a": {"type": "string"}}}}},
    "Port": {"type": "object", "required": ["number"], "properties": {"number": {"type": "integer"}}},
    "Shape": {"type": "object", "discriminator": "shapeType", "required": ["shapeType"], "properties": {"shapeType": {"type": "string"}}},
    "Circle": {"x-ms-discriminator-value": "circle", "allOf": [{"$ref": "#/definitions/Shape"}], "properties": {"radius": {"type": "integer"}}},
    "Square": {"allOf": [{"$ref": "#/definitions/Shape"}], "properties": {"side": {"type": "integer"}}},
    "Part": {"type": "object", "properties": {"size": {"type": "integer"}}}
  }
}`

func testSpecs(t *testing.T) *Specs {
	t.Helper()
	older := strings.ReplaceAll(widgetSpec, "2024-01-01", "2022-01-01")
	fsys := fstest.MapFS{
		"common/types.json":                             {Data: []byte(commonTypes)},
		"widgets/stable/2024-01-01/widgets.json":        {Data: []byte(widgetSpec)},
		"widgets/stable/2022-01-01/widgets.json":        {Data: []byte(older)},
		"widgets/stable/2024-01-01/examples/x.json":     {Data: []byte(`{"swagger": "2.0", "paths": {"/a": {"get": {}}}}`)},
		"widgets/stable/2024-01-01/readme-snippet.json": {Data: []byte(`{"not": "swagger"}`)},
	}
	s, err := LoadSpecs(context.Background(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const widgetPath = "/subscriptions/s/resourceGroups/rg/providers/Contoso.Widgets/widgets/w1"

// rules lists the violations as "path rule", sorted.
func rules(vs []Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Path+" "+v.Rule)
	}
	sort.Strings(out)
	return out
}

func TestValidateResponseSchemas(t *testing.T) {
	s := testSpecs(t)
	op, _ := s.Match("PUT", widgetPath, "2024-01-01")
	if op == nil {
		t.Fatal("no operation")
	}
	if f := op.Examples["Create a widget"]; f != "widgets/stable/2024-01-01/examples/x.json" {
		t.Errorf("example file %q", f)
	}
	valid := `{"id": "/x", "name": "w1", "type": "Contoso.Widgets/widgets", "location": "eastus", "tags": {"a": "b"},
		"systemData": {"createdAt": "2024-01-01T10:00:00.1234567Z"},
		"kind": "small", "sku": {"name": "SomethingNew", "tier": "standard"},
		"properties": {"provisioningState": "Succeeded", "count": 3, "ratio": 0.5, "enabled": true,
			"ownerId": "c0ffee00-0000-4000-8000-000000000001", "createdAt": "2024-01-01T10:00:00+02:00",
			"labels": ["x"], "ports": [{"number": 80}], "note": null, "strict": {"a": "b"}},
		"shape": {"shapeType": "circle", "radius": 2}}`
	for _, tc := range []struct {
		name, body string
		opts       ValidateOptions
		want       []string
	}{
		{"valid: readOnly ignored, closed enums without regard to case, modelAsString open", valid, ValidateOptions{}, nil},
		{"required across files and allOf", `{"name": "w1", "sku": {}}`, ValidateOptions{}, []string{"$ required", "$.sku required"}},
		{"types", `{"location": 1, "tags": {"a": 2}, "properties": {"count": 1.5, "ratio": "x", "enabled": "true", "labels": "x", "ports": [{"number": "80"}]}}`, ValidateOptions{},
			[]string{"$.location type", "$.properties.count type", "$.properties.enabled type", "$.properties.labels type", "$.properties.ports[0].number type", "$.properties.ratio type", "$.tags.a type"}},
		{"closed enum", `{"location": "x", "kind": "Medium", "sku": {"name": "Basic", "tier": "Gold"}}`, ValidateOptions{}, []string{"$.kind enum", "$.sku.tier enum"}},
		{"formats", `{"location": "x", "systemData": {"createdAt": "yesterday"}, "properties": {"ownerId": "me", "createdAt": "2024-01-01"}}`, ValidateOptions{},
			[]string{"$.properties.createdAt format", "$.properties.ownerId format", "$.systemData.createdAt format"}},
		{"null only where x-nullable", `{"location": null, "properties": {"note": null, "count": null}}`, ValidateOptions{}, []string{"$.location null", "$.properties.count null"}},
		{"additionalProperties false", `{"location": "x", "properties": {"strict": {"a": "b", "c": "d"}}}`, ValidateOptions{}, []string{"$.properties.strict.c additionalProperties"}},
		{"undeclared only when asked", `{"location": "x", "extra": 1, "tags": {"free": "form"}, "properties": {"extra": 2}}`, ValidateOptions{}, nil},
		{"undeclared", `{"location": "x", "extra": 1, "tags": {"free": "form"}, "properties": {"extra": 2}}`, ValidateOptions{Undeclared: true}, []string{"$.extra undeclared", "$.properties.extra undeclared"}},
		{"case", `{"Location": "x", "properties": {"Count": 1}}`, ValidateOptions{}, []string{"$.Location case", "$.properties.Count case"}},
		{"discriminator by x-ms-discriminator-value", `{"location": "x", "shape": {"shapeType": "circle", "radius": "big"}}`, ValidateOptions{Undeclared: true}, []string{"$.shape.radius type"}},
		{"discriminator by definition name", `{"location": "x", "shape": {"shapeType": "Square", "side": 2, "radius": 1}}`, ValidateOptions{Undeclared: true}, []string{"$.shape.radius undeclared"}},
		{"not an object", `[1]`, ValidateOptions{}, []string{"$ type"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.CheckResponse(op, 201, []byte(tc.body), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(rules(got), "; ") != strings.Join(tc.want, "; ") {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCheckResponseStatusAndBody(t *testing.T) {
	s := testSpecs(t)
	put, _ := s.Match("PUT", widgetPath, "2024-01-01")
	del, _ := s.Match("DELETE", widgetPath, "2024-01-01")
	get, _ := s.Match("GET", widgetPath, "2024-01-01")
	for _, tc := range []struct {
		name   string
		op     *Operation
		status int
		body   string
		want   []string
	}{
		{"an unlisted success", put, 202, "", []string{"$ status"}},
		{"an error falls to default", put, 404, `{"error": {"code": "NotFound", "message": "m"}}`, nil},
		{"an error body that is not one", put, 400, `{"error": "bad"}`, []string{"$.error type"}},
		{"an error without a default is ARM's", get, 404, `{"error": {"code": "ResourceNotFound", "message": "m"}}`, nil},
		{"an error without a default nor ARM's body", get, 404, `{}`, []string{"$ body"}},
		{"no body where there is none", del, 202, "", nil},
		{"a body where there is none", del, 200, `{}`, []string{"$ body"}},
		{"no body where there is one", get, 200, "", []string{"$ body"}},
		{"not JSON", get, 200, "{", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.CheckResponse(tc.op, tc.status, []byte(tc.body), ValidateOptions{})
			if tc.body == "{" {
				if err == nil {
					t.Error("no error for a body that is not JSON")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(rules(got), "; ") != strings.Join(tc.want, "; ") {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMatchOperations(t *testing.T) {
	s := testSpecs(t)
	if n := len(s.Operations()); n != 2*7 {
		t.Errorf("%d operations, want 14 (the examples folder and a non-swagger file are not read)", n)
	}
	for _, tc := range []struct {
		method, path, version string
		wantID, wantVersion   string
		exact                 bool
	}{
		{"GET", widgetPath, "2024-01-01", "Widgets_Get", "2024-01-01", true},
		{"get", strings.ToLower(widgetPath) + "/", "2022-01-01", "Widgets_Get", "2022-01-01", true},
		{"GET", widgetPath, "2023-11-01-preview", "Widgets_Get", "2024-01-01", false},
		{"GET", widgetPath, "2021-01-01", "Widgets_Get", "2022-01-01", false},
		{"GET", widgetPath + "/parts/default", "2024-01-01", "Parts_GetDefault", "2024-01-01", true},
		{"GET", widgetPath + "/parts/p1", "2024-01-01", "Parts_Get", "2024-01-01", true},
		{"GET", "/subscriptions/s/resourceGroups/rg/providers/Contoso.Widgets/notes/n", "2024-01-01", "Notes_Get", "2024-01-01", true},
		{"GET", "/providers/Contoso.Widgets/notes/n", "2024-01-01", "", "", false},
		{"GET", "/subscriptions/s/resourceGroups/rg/providers/Contoso.Widgets/notes/n", "2022-01-01", "Notes_Get", "2022-01-01", true},
		{"GET", "/anything", "2024-01-01", "Generic_GetById", "2024-01-01", true},
		{"GET", "/subscriptions/s/providers/Contoso.Widgets/locations/global/operationStatuses/x", "2024-01-01", "", "", false},
		{"POST", widgetPath, "2024-01-01", "", "", false},
		{"GET", widgetPath + "/gadgets/g", "2024-01-01", "", "", false},
	} {
		op, exact := s.Match(tc.method, tc.path, tc.version)
		id, version := "", ""
		if op != nil {
			id, version = op.OperationID, op.APIVersion
		}
		if id != tc.wantID || version != tc.wantVersion || exact != tc.exact {
			t.Errorf("%s %s %s: %s %s %v, want %s %s %v", tc.method, tc.path, tc.version, id, version, exact, tc.wantID, tc.wantVersion, tc.exact)
		}
	}
}

func TestBrokenReferencesAreViolations(t *testing.T) {
	fsys := fstest.MapFS{"a.json": {Data: []byte(`{"definitions": {"A": {"type": "object", "properties": {"b": {"$ref": "missing.json#/definitions/B"}, "c": {"$ref": "#/definitions/C"}}}}}`)}}
	d := NewDocs(fsys)
	got, err := d.ValidateJSON(SchemaRef{File: "a.json", Pointer: "/definitions/A"}, []byte(`{"b": 1, "c": 2}`), ValidateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rules(got), "; ") != "$.b ref; $.c ref" {
		t.Errorf("got %v", got)
	}
	if _, err := d.ValidateJSON(SchemaRef{File: "a.json", Pointer: "/definitions/Z"}, []byte(`{}`), ValidateOptions{}); err == nil {
		t.Error("no error for a schema that does not exist")
	}
}

func TestRecursiveSchemasEnd(t *testing.T) {
	fsys := fstest.MapFS{"a.json": {Data: []byte(`{"definitions": {
		"Node": {"type": "object", "allOf": [{"$ref": "#/definitions/Node"}], "properties": {"next": {"$ref": "#/definitions/Node"}, "v": {"type": "integer"}}},
		"Loop": {"$ref": "#/definitions/Loop"}}}`)}}
	d := NewDocs(fsys)
	got, err := d.ValidateJSON(SchemaRef{File: "a.json", Pointer: "/definitions/Node"}, []byte(`{"v": 1, "next": {"v": 2, "next": {"v": "three"}}}`), ValidateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rules(got), "; ") != "$.next.next.v type" {
		t.Errorf("got %v", got)
	}
	got, _ = d.ValidateJSON(SchemaRef{File: "a.json", Pointer: "/definitions/Loop"}, []byte(`{}`), ValidateOptions{})
	if strings.Join(rules(got), "; ") != "$ ref" {
		t.Errorf("a reference loop: %v", got)
	}
}

func TestExampleDocs(t *testing.T) {
	fsys := fstest.MapFS{"ex.json": {Data: []byte(`{"parameters": {"subscriptionId": "sub", "ResourceGroupName": "my rg", "api-version": "2024-01-01", "parameters": {"location": "eastus"}},
		"responses": {"201": {"body": {"name": "w"}}, "200": {"body": {}}, "default": {}}}`)}}
	d, err := ReadExampleDoc(fsys, "ex.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := d.StatusCodes(); len(got) != 2 || got[0] != 200 || got[1] != 201 {
		t.Errorf("status codes %v", got)
	}
	p, missing := FillPath("/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Contoso.Widgets/widgets/{widgetName}", d.Param)
	if p != "/subscriptions/sub/resourceGroups/my%20rg/providers/Contoso.Widgets/widgets/{widgetName}" || len(missing) != 1 || missing[0] != "widgetName" {
		t.Errorf("%s %v", p, missing)
	}
	var body map[string]any
	if err := json.Unmarshal(d.Parameters["parameters"], &body); err != nil || body["location"] != "eastus" {
		t.Errorf("body %v %v", body, err)
	}
	if _, ok := d.Param("parameters"); ok {
		t.Error("an object parameter taken for a string")
	}
}
