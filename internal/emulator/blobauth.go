package emulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Shared Key authorization of the blob service, as Microsoft's "Authorize with Shared Key"
// describes it for the Blob, Queue and File services (version 2009-09-19 and later): the
// client signs a canonical form of the request with HMAC-SHA256 under one of the account's
// keys, and sends "Authorization: SharedKey <account>:<base64 signature>". The emulator
// builds the same string from the request it received and accepts the signature of key1 or
// key2 as listKeys gives them.

// blobAuthenticate checks a request's Shared Key signature for an account (its ARM record's key
// gives the account keys).
func blobAuthenticate(r *http.Request, account, accountKey string) *blobError {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return authFailed("The request has no Authorization header: the emulator's blob service takes Shared Key authorization only (no anonymous access, no SAS).")
	}
	scheme, credential, _ := strings.Cut(auth, " ")
	if scheme != "SharedKey" {
		return authFailed("The authorization scheme '" + scheme + "' is not supported: the emulator's blob service takes SharedKey only.")
	}
	name, signature, ok := strings.Cut(strings.TrimSpace(credential), ":")
	if !ok || name == "" || signature == "" {
		return blobErr(http.StatusBadRequest, "InvalidAuthenticationInfo", "Authentication information is not given in the correct format. Check the value of Authorization header.")
	}
	if !strings.EqualFold(name, account) {
		return authFailed("The account '" + name + "' of the Authorization header is not the account '" + account + "' of the request URI.")
	}
	if r.Header.Get("x-ms-date") == "" && r.Header.Get("Date") == "" {
		return authFailed("Request date header not specified: send x-ms-date (or Date).")
	}
	presented, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return authFailed("The signature of the Authorization header is not base64.")
	}
	toSign := stringToSign(r, name, false)
	candidates := []string{toSign}
	if folded := stringToSign(r, name, true); folded != toSign {
		candidates = append(candidates, folded)
	}
	for _, keyName := range []string{"key1", "key2"} {
		key, err := base64.StdEncoding.DecodeString(storageKey(accountKey, keyName)["value"].(string))
		if err != nil {
			return blobErr(http.StatusInternalServerError, "InternalError", "The account key could not be decoded.")
		}
		for _, s := range candidates {
			mac := hmac.New(sha256.New, key)
			mac.Write([]byte(s))
			if hmac.Equal(mac.Sum(nil), presented) {
				return nil
			}
		}
	}
	return authFailed("The MAC signature found in the HTTP request '" + signature + "' is not the same as any computed signature. Server used following string to sign: '" + toSign + "'.")
}

func authFailed(detail string) *blobError {
	return blobErr(http.StatusForbidden, "AuthenticationFailed",
		"Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.",
		[2]string{"AuthenticationErrorDetail", detail})
}

// stringToSign is the Shared Key string to sign of a request: the verb, the values of eleven
// standard headers (Content-Length empty when 0, Date empty when x-ms-date is sent), the
// canonicalized x-ms- headers and the canonicalized resource. foldSpaces replaces runs of
// white space in the x-ms- header values by one space, as the documentation says; clients
// commonly sign the values as they send them, which the emulator accepts too.
func stringToSign(r *http.Request, account string, foldSpaces bool) string {
	h := r.Header
	length := h.Get("Content-Length")
	if length == "0" {
		length = ""
	}
	date := h.Get("Date")
	if h.Get("x-ms-date") != "" {
		date = ""
	}
	var b strings.Builder
	for _, v := range []string{
		r.Method, h.Get("Content-Encoding"), h.Get("Content-Language"), length, h.Get("Content-MD5"), h.Get("Content-Type"), date,
		h.Get("If-Modified-Since"), h.Get("If-Match"), h.Get("If-None-Match"), h.Get("If-Unmodified-Since"), h.Get("Range"),
	} {
		b.WriteString(v)
		b.WriteByte('\n')
	}
	writeCanonicalHeaders(&b, h, foldSpaces)
	writeCanonicalResource(&b, r, account)
	return b.String()
}

// writeCanonicalHeaders writes the x-ms- headers, names lower-cased, in the service's order,
// each as name:value and a newline (several values of one header joined by commas).
func writeCanonicalHeaders(b *strings.Builder, h http.Header, foldSpaces bool) {
	values := map[string][]string{}
	var names []string
	for k, v := range h {
		name := strings.ToLower(strings.TrimSpace(k))
		if !strings.HasPrefix(name, "x-ms-") {
			continue
		}
		if _, seen := values[name]; !seen {
			names = append(names, name)
		}
		values[name] = append(values[name], v...)
	}
	slices.SortFunc(names, compareHeaderNames)
	for _, name := range names {
		b.WriteString(name)
		b.WriteByte(':')
		for i, v := range values[name] {
			if i > 0 {
				b.WriteByte(',')
			}
			v = strings.TrimSpace(v)
			if foldSpaces {
				v = strings.Join(strings.Fields(v), " ")
			}
			b.WriteString(v)
		}
		b.WriteByte('\n')
	}
}

// writeCanonicalResource writes "/account", the request's path as it was sent, and each query
// parameter (names lower-cased, sorted) on a line of its own as name:values, the decoded values
// sorted and joined by commas.
func writeCanonicalResource(b *strings.Builder, r *http.Request, account string) {
	b.WriteByte('/')
	b.WriteString(account)
	path := r.URL.EscapedPath()
	if raw, _, _ := strings.Cut(r.RequestURI, "?"); strings.HasPrefix(raw, "/") {
		path = raw
	}
	if path == "" {
		path = "/"
	}
	b.WriteString(path)
	query, _ := url.ParseQuery(r.URL.RawQuery)
	params := map[string][]string{}
	var names []string
	for k, v := range query {
		name := strings.ToLower(k)
		if _, seen := params[name]; !seen {
			names = append(names, name)
		}
		params[name] = append(params[name], v...)
	}
	slices.Sort(names)
	for _, name := range names {
		vs := params[name]
		slices.Sort(vs)
		b.WriteByte('\n')
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(strings.Join(vs, ","))
	}
}

// compareHeaderNames orders canonicalized header names as the storage service does, which is
// not byte order but a culture-aware string order: hyphens and apostrophes are passed over at
// first, other punctuation sorts before digits and digits before letters (so x-ms-meta-a_b
// comes before x-ms-meta-a0b), letters without regard to case. Names equal that way are
// ordered by their bytes.
func compareHeaderNames(a, b string) int {
	i, j := 0, 0
	for {
		for i < len(a) && headerWeight(a[i]) < 0 {
			i++
		}
		for j < len(b) && headerWeight(b[j]) < 0 {
			j++
		}
		switch {
		case i == len(a) && j == len(b):
			return strings.Compare(a, b)
		case i == len(a):
			return -1
		case j == len(b):
			return 1
		}
		if wa, wb := headerWeight(a[i]), headerWeight(b[j]); wa != wb {
			return wa - wb
		}
		i++
		j++
	}
}

// punctuationOrder is the order of the punctuation of header names in the service's sort.
const punctuationOrder = "!\"#$%&()*,./:;?@[\\]^_`{|}~+<=>"

// headerWeight is a byte's rank in compareHeaderNames; -1 for the bytes it passes over.
func headerWeight(c byte) int {
	switch {
	case c == '-' || c == '\'':
		return -1
	case c >= 'a' && c <= 'z':
		return 1000 + int(c-'a')
	case c >= 'A' && c <= 'Z':
		return 1000 + int(c-'A')
	case c >= '0' && c <= '9':
		return 500 + int(c-'0')
	}
	if k := strings.IndexByte(punctuationOrder, c); k >= 0 {
		return 100 + k
	}
	return 2000 + int(c)
}
