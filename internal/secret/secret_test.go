package secret

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/gru-iac/gru/internal/catalog"
)

func TestName(t *testing.T) {
	for name, want := range map[string]bool{
		"adminPassword": true, "administratorLoginPassword": true, "clientSecret": true, "sasToken": true,
		"connectionString": true, "storageAccountAccessKey": true, "primaryKey": true, "secondaryKey": true,
		"sharedKey": true, "privateKey": true, "key": true, "token": true, "pass_phrase": true,
		"publicKey": false, "sshPublicKey": false, "keyName": false, "secretName": false, "secretUri": false,
		"keyVaultSecretId": false, "tokenStoreEnabled": false, "publicNetworkAccess": false, "allowBlobPublicAccess": false,
		"accessTier": false, "accessPolicies": false, "passwordProfile": false, "name": false, "value": false,
		"sasUrl": true, "connectionStrings": true, "primaryKeyVaultUri": false, "clientSecretSettingName": false,
	} {
		if got := Name(name); got != want {
			t.Errorf("Name(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestRedactFollowsTheSchemaAndNames(t *testing.T) {
	schema := &catalog.Type{Kind: catalog.KindObject, Properties: []catalog.Property{
		{Name: "blob", Type: &catalog.Type{Kind: catalog.KindString, Sensitive: true}},
		{Name: "init", Type: &catalog.Type{Kind: catalog.KindString}, Flags: catalog.FlagWriteOnly},
		{Name: "plain", Type: &catalog.Type{Kind: catalog.KindString}},
		{Name: "properties", Type: &catalog.Type{Kind: catalog.KindObject, Name: "SecretProperties", Properties: []catalog.Property{
			{Name: "value", Type: &catalog.Type{Kind: catalog.KindString}},
			{Name: "contentType", Type: &catalog.Type{Kind: catalog.KindString}},
		}}},
	}}
	in := map[string]any{"blob": "s1", "init": "s2", "plain": "shown", "adminPassword": "s3",
		"properties":   map[string]any{"value": "s4", "contentType": "text"},
		"keys":         []any{map[string]any{"keyName": "key1", "value": "s5"}},
		"creds":        map[string]any{"password": []any{"s6", "s7"}},
		"sshPublicKey": "shown too",
	}
	out, _ := json.Marshal(Redact(in, schema))
	for _, s := range []string{`"s1"`, `"s2"`, `"s3"`, `"s4"`, `"s5"`, `"s6"`, `"s7"`} {
		if strings.Contains(string(out), s) {
			t.Errorf("%s shows in %s", s, out)
		}
	}
	for _, s := range []string{`"shown"`, `"text"`, `"key1"`, `"shown too"`, Mask} {
		if !strings.Contains(string(out), s) {
			t.Errorf("%s is missing from %s", s, out)
		}
	}
	if got := Values(in, schema); len(got) != 7 {
		t.Errorf("Values: %v", got)
	}
	if got := Scrub("error: password s3 is weak; p4ss-word too; abcdefgh", []string{"p4ss-word", "s3", "abcd", "abcdefgh"}); got != "error: password s3 is weak; "+Mask+" too; "+Mask {
		t.Errorf("Scrub: %s", got)
	}
}

// TestNamesOfPlainTypesAreNoSecrets: a name like a secret's does not make a flag, a number or
// a list of enum values (a vault's permissions.secrets) a secret.
func TestNamesOfPlainTypesAreNoSecrets(t *testing.T) {
	enum := &catalog.Type{Kind: catalog.KindUnion, Elements: []*catalog.Type{{Kind: catalog.KindStringLiteral, Value: "get"}, {Kind: catalog.KindString}}}
	parent := &catalog.Type{Kind: catalog.KindObject, Properties: []catalog.Property{
		{Name: "secrets", Type: &catalog.Type{Kind: catalog.KindArray, Items: enum}},
		{Name: "disablePasswordAuthentication", Type: &catalog.Type{Kind: catalog.KindBoolean}},
		{Name: "password", Type: &catalog.Type{Kind: catalog.KindString}},
		{Name: "secret", Type: &catalog.Type{Kind: catalog.KindObject}},
	}}
	for key, want := range map[string]bool{"secrets": false, "disablePasswordAuthentication": false, "password": true, "secret": true} {
		if got := Sensitive(parent, key); got != want {
			t.Errorf("%s: sensitive %v, want %v", key, got, want)
		}
	}
}

// Name looks no further at a name without an anchor: every name part and exact name has one.
func TestEveryNamePartHasAnAnchor(t *testing.T) {
	for _, p := range append(slices.Clone(nameParts), exactNames...) {
		if !slices.ContainsFunc(anchors, func(a string) bool { return strings.Contains(p, a) }) {
			t.Errorf("%q holds no anchor: Name would miss it", p)
		}
	}
	long := strings.Repeat("x", 100) + "Password"
	if !Name(long) || Name(strings.Repeat("x", 100)) {
		t.Error("long names")
	}
}
