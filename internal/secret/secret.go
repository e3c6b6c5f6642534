// Package secret is gru's one rule for what is a secret in an ARM body, and the masking of
// secrets wherever gru shows a body: plans, apply results, output, list, the debug log, errors,
// generated files. A property is secret when the type data marks it write-only or sensitive,
// when its name says it holds one (passwords, secrets, tokens, connection strings, access,
// shared, primary, secondary and private keys; a public key is not one), or when it is the
// value of an object that is itself a secret (a Key Vault secret's properties.value).
package secret

import (
	"slices"
	"strings"
	"unsafe"

	"github.com/gru-iac/gru/internal/catalog"
)

// Mask is what gru shows in place of a secret value.
const Mask = "(sensitive)"

// nameParts are the fragments of a lower-cased property name, separators removed, that say it
// holds a secret.
var nameParts = []string{
	"password", "passphrase", "secret", "token", "connectionstring",
	"accesskey", "sharedkey", "primarykey", "secondarykey", "privatekey", "accountkey",
	"masterkey", "apikey", "authkey", "sastoken", "sasurl", "saskey",
}

// notSecretSuffixes end the names that only refer to a secret (its name, ID, URI, expiry, ...).
var notSecretSuffixes = []string{
	"name", "names", "id", "ids", "uri", "uris", "url", "urls", "type", "version", "reference",
	"source", "vault", "format", "expiry", "expirytime", "expiration", "expirationdate",
	"time", "date", "enabled", "permissions", "policy", "policies", "length", "count", "state",
	"status", "mode", "kind", "identifier", "store", "settings", "audience", "audiences",
	"lifetime", "lifetimeinhours", "endpoint", "provider", "issuer", "location", "profile", "profiles",
	"configuration", "config", "properties", "options",
}

// exactNames are whole names that hold a secret.
var exactNames = []string{"key", "token", "pwd", "sas"}

// anchors are fragments of which every name part and exact name holds one: a name without
// any of them is no secret, without looking further (Name runs for every property validated
// and compared).
var anchors = []string{"pass", "secret", "token", "string", "key", "sas", "pwd"}

// Name reports whether a property name says it holds a secret.
func Name(name string) bool {
	var buf [64]byte
	normal := normalName(name, buf[:0])
	if len(normal) == 0 {
		return false
	}
	// A view of the normalized bytes, which outlives no call below.
	l := unsafe.String(unsafe.SliceData(normal), len(normal))
	if !slices.ContainsFunc(anchors, func(a string) bool { return strings.Contains(l, a) }) {
		return false
	}
	if slices.Contains(exactNames, l) {
		return true
	}
	if strings.Contains(l, "publickey") {
		return false
	}
	// A part that says secret, unless what follows it says the property only refers to one
	// (secretName, keyVaultSecretId, tokenStoreEnabled).
	for _, p := range nameParts {
		i := strings.LastIndex(l, p)
		if i < 0 {
			continue
		}
		rest := l[i+len(p):]
		if rest == "" || rest == "s" {
			return true
		}
		reference := false
		for _, s := range notSecretSuffixes {
			if strings.HasSuffix(rest, s) {
				reference = true
				break
			}
		}
		if !reference {
			return true
		}
	}
	return false
}

// normalName appends to b a name lower-cased, without the separators _, - and space.
func normalName(name string, b []byte) []byte {
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '_' || c == '-' || c == ' ':
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		default:
			b = append(b, c)
		}
	}
	return b
}

// Kind says how a property of an object is secret.
type Kind uint8

const (
	// None: not a secret.
	None Kind = iota
	// Readable: a secret that ARM returns on GET (compared, never shown).
	Readable
	// WriteOnly: a secret that ARM never returns (never compared with live, never shown).
	WriteOnly
)

// Property tells whether the property key of an object of schema parent is secret. parent
// may be nil (no schema): then the name decides. inSecret says the object itself is a secret
// (its every value is).
func Property(parent *catalog.Type, key string, inSecret bool) Kind {
	var p *catalog.Property
	if parent != nil {
		p = parent.Property(key)
	}
	if p != nil && p.Flags.Has(catalog.FlagWriteOnly) {
		return WriteOnly
	}
	if inSecret || Sensitive(parent, key) {
		return Readable
	}
	return None
}

// Sensitive reports a property whose value is a secret by the schema's secure mark or by its
// name (as Property, leaving aside the write-only flag, which also marks plain values that ARM
// does not return).
func Sensitive(parent *catalog.Type, key string) bool {
	var p *catalog.Property
	if parent != nil {
		p = parent.Property(key)
	}
	if p != nil && p.Type != nil && p.Type.Sensitive {
		return true
	}
	if Name(key) && !plainByType(p) {
		return true
	}
	// A secret's own value (a Key Vault secret's), a shared key's (a VPN connection's, which
	// ARM returns on GET).
	name := ""
	if parent != nil {
		name = strings.ToLower(parent.Name)
	}
	return strings.EqualFold(key, "value") && (strings.Contains(name, "secret") || strings.Contains(name, "sharedkey"))
}

// plainByType reports a property whose type says it holds no secret, whatever its name: a
// flag or a number (disablePasswordAuthentication), or a list of names or flags (a vault's
// permissions.secrets: get, list, set).
func plainByType(p *catalog.Property) bool {
	if p == nil || p.Type == nil {
		return false
	}
	t := p.Type
	if t.Kind == catalog.KindArray && t.Items != nil {
		t = t.Items
		if values, _ := t.Literals(); len(values) > 0 { // an enum, open or not
			return true
		}
	}
	switch t.Kind {
	case catalog.KindBoolean, catalog.KindInteger, catalog.KindStringLiteral:
		return true
	}
	return false
}

// Child returns the schema of the value at key in an object of schema t (a property, or the
// type of additional keys), nil when the schema does not say.
func Child(t *catalog.Type, key string) *catalog.Type {
	if t == nil {
		return nil
	}
	if p := t.Property(key); p != nil {
		return p.Type
	}
	return t.AdditionalProperties
}

// Items returns the schema of an array's items, nil when the schema does not say.
func Items(t *catalog.Type) *catalog.Type {
	if t != nil && t.Kind == catalog.KindArray {
		return t.Items
	}
	return nil
}

// Resolve picks the object type a value takes among a discriminated object's variants, so that
// their properties are seen.
func Resolve(t *catalog.Type, value any) *catalog.Type {
	if t == nil || t.Kind != catalog.KindDiscriminatedObject {
		return t
	}
	obj, _ := value.(map[string]any)
	var disc string
	for k, v := range obj {
		if strings.EqualFold(k, t.Discriminator) {
			disc, _ = v.(string)
		}
	}
	merged := &catalog.Type{Kind: catalog.KindObject, Name: t.Name, Properties: t.BaseProperties}
	for _, v := range t.Variants {
		if strings.EqualFold(v.Value, disc) {
			merged.Properties = append(append([]catalog.Property{}, t.BaseProperties...), v.Type.Properties...)
			merged.AdditionalProperties = v.Type.AdditionalProperties
			merged.Name = v.Type.Name
		}
	}
	return merged
}

// Redact returns a copy of a JSON value with every secret replaced by Mask, using the schema
// t of the value where there is one (nil: names alone decide). Objects keep their keys; a key
// listing ({"keyName": "key1", "value": "..."}) keeps its name and loses its value.
func Redact(v any, t *catalog.Type) any {
	return redact(v, t, func(t *catalog.Type, k string) bool { return Property(t, k, false) != None })
}

// RedactSensitive is Redact for what is a secret by its secure mark or its name only: the
// values of write-only properties that are not (a web app's siteConfig) are kept, objects
// searched. Saved plans fingerprint bodies with it, so that a change there is seen, while no
// password is hashed.
func RedactSensitive(v any, t *catalog.Type) any {
	return redact(v, t, Sensitive)
}

// redact copies v, masking the properties that secret says are secrets.
func redact(v any, t *catalog.Type, secret func(t *catalog.Type, key string) bool) any {
	t = Resolve(t, v)
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			if secret(t, k) {
				out[k] = maskValue(val)
				continue
			}
			out[k] = redact(val, Child(t, k), secret)
		}
		if _, named := x["keyName"]; named {
			if val, has := x["value"]; has {
				out["value"] = maskValue(val)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = redact(val, Items(t), secret)
		}
		return out
	}
	return v
}

// maskValue masks a secret value: scalars become Mask; an object or array keeps its shape with
// every scalar in it masked, so that a reader sees what is there without its content.
func maskValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			out[k] = maskValue(val)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = maskValue(val)
		}
		return out
	case nil:
		return nil
	}
	return Mask
}

// Values collects every secret string of a JSON value (for tests and for scrubbing text that
// may quote one, such as an error message).
func Values(v any, t *catalog.Type) []string {
	var out []string
	collect(v, t, false, &out)
	return out
}

func collect(v any, t *catalog.Type, inSecret bool, out *[]string) {
	t = Resolve(t, v)
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			secret := inSecret || Property(t, k, false) != None
			if _, named := x["keyName"]; named && k == "value" {
				secret = true
			}
			collect(val, Child(t, k), secret, out)
		}
	case []any:
		for _, val := range x {
			collect(val, Items(t), inSecret, out)
		}
	case string:
		if inSecret && x != "" {
			*out = append(*out, x)
		}
	}
}

// Scrub replaces in text every occurrence of the given secret values by Mask, longest first
// (values shorter than 4 characters are left: they would mask ordinary words).
func Scrub(text string, values []string) string {
	values = slices.Clone(values)
	slices.SortFunc(values, func(a, b string) int { return len(b) - len(a) })
	for _, s := range values {
		if len(s) >= 4 {
			text = strings.ReplaceAll(text, s, Mask)
		}
	}
	return text
}
