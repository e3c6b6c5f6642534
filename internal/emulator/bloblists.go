package emulator

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Lists of the blob service (List Blobs, List Containers) and what it tells of containers and
// accounts, which are ARM resources.

// maxListResults is the most a list page holds, and its size when a request names none.
const maxListResults = 5000

// listParams reads maxresults, marker and include of a list request.
type listParams struct {
	prefix, delimiter string
	after             string // names after this one (the marker's)
	marker            string // as given
	max               int
	maxGiven          bool
	metadata          bool
}

func readListParams(r *blobRequest, includes []string) (*listParams, error) {
	q := r.query
	p := &listParams{prefix: q.Get("prefix"), delimiter: q.Get("delimiter"), marker: q.Get("marker"), max: maxListResults}
	if s := q.Get("maxresults"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, errInvalidQuery("maxresults", s, "Not an integer.")
		}
		if n < 1 {
			return nil, blobErr(http.StatusBadRequest, "OutOfRangeQueryParameterValue", "One of the query parameters specified in the request URI is outside the permissible range.",
				[2]string{"QueryParameterName", "maxresults"}, [2]string{"QueryParameterValue", s}, [2]string{"MinimumAllowed", "1"}, [2]string{"MaximumAllowed", strconv.Itoa(maxListResults)})
		}
		p.max, p.maxGiven = min(n, maxListResults), true
	}
	if p.marker != "" {
		after, err := base64.RawURLEncoding.DecodeString(p.marker)
		if err != nil || len(after) == 0 {
			return nil, errInvalidQuery("marker", p.marker, "Not a marker this service gave.")
		}
		p.after = string(after)
	}
	for _, v := range strings.Split(q.Get("include"), ",") {
		v = strings.ToLower(strings.TrimSpace(v))
		switch {
		case v == "":
		case v == "metadata":
			p.metadata = true
		case slices.Contains(includes, v):
			// Accepted; the emulator keeps nothing of it to show.
		default:
			return nil, errInvalidQuery("include", q.Get("include"), "Unknown dataset to include.")
		}
	}
	return p, nil
}

// nextMarker is the marker of the page after the names up to after.
func nextMarker(after string) string { return base64.RawURLEncoding.EncodeToString([]byte(after)) }

// prefixEnd is the least string greater than every string that starts with prefix ("" when
// there is none, or prefix is empty).
func prefixEnd(prefix string) string {
	for i := len(prefix) - 1; i >= 0; i-- {
		if prefix[i] < 0xff {
			return prefix[:i] + string([]byte{prefix[i] + 1})
		}
	}
	return ""
}

// blobServiceURL is the account's blob service address, as list answers write it.
func (e *Emulator) blobServiceURL(r *blobRequest) string {
	if e.opts.BlobEndpoint != "" {
		return e.opts.BlobEndpoint + "/" + r.accountName + "/"
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/" + r.accountName + "/"
}

// listItem is one entry of a List Blobs page: a blob, or (with a delimiter) a prefix that
// stands for the blobs below it.
type listItem struct {
	blob   *blobEntry
	prefix string
	after  string // where the next page starts when this is the page's last entry
}

// listBlobs serves List Blobs, flat or (with a delimiter) one level of a hierarchy, in pages of
// maxresults with NextMarker.
func (e *Emulator) listBlobs(r *blobRequest) error {
	p, err := readListParams(r, []string{"snapshots", "uncommittedblobs", "copy", "deleted", "tags", "versions", "deletedwithversions", "immutabilitypolicy", "legalhold", "permissions"})
	if err != nil {
		return err
	}
	if err := e.containerState(r); err != nil {
		return err
	}
	// Names with the prefix, from startFrom on and before endBefore when they are given.
	from, to := max(p.prefix, r.query.Get("startFrom")), prefixEnd(p.prefix)
	if end := r.query.Get("endBefore"); end != "" && (to == "" || end < to) {
		to = end
	}
	after := p.after
	var items []listItem
	for len(items) <= p.max {
		want := p.max + 1 - len(items)
		batch, err := e.store.listBlobs(r.Context(), r.containerKey, after, from, to, want)
		if err != nil {
			return err
		}
		skipped := false
		for _, b := range batch {
			if !strings.HasPrefix(b.Name, p.prefix) {
				continue
			}
			if p.delimiter != "" {
				if i := strings.Index(b.Name[len(p.prefix):], p.delimiter); i >= 0 {
					sub := b.Name[:len(p.prefix)+i+len(p.delimiter)]
					// Every name that starts with sub is before sub + 0xff: no name holds that byte.
					after = sub + "\xff"
					items = append(items, listItem{prefix: sub, after: after})
					skipped = true
					break
				}
			}
			after = b.Name
			items = append(items, listItem{blob: b, after: after})
			if len(items) > p.max {
				break
			}
		}
		if !skipped && len(batch) < want {
			break
		}
	}
	next := ""
	if len(items) > p.max {
		items = items[:p.max]
		next = nextMarker(items[len(items)-1].after)
	}
	var x xmlWriter
	x.open("EnumerationResults", "ServiceEndpoint", e.blobServiceURL(r), "ContainerName", r.container)
	if p.prefix != "" {
		x.elem("Prefix", p.prefix)
	}
	if p.marker != "" {
		x.elem("Marker", p.marker)
	}
	if p.maxGiven {
		x.elem("MaxResults", strconv.Itoa(p.max))
	}
	if p.delimiter != "" {
		x.elem("Delimiter", p.delimiter)
	}
	x.open("Blobs")
	for _, it := range items {
		if it.blob == nil {
			x.open("BlobPrefix")
			x.elem("Name", it.prefix)
			x.close("BlobPrefix")
			continue
		}
		writeBlobItem(&x, it.blob, p.metadata)
	}
	x.close("Blobs")
	x.elem("NextMarker", next)
	x.close("EnumerationResults")
	x.send(r.w, http.StatusOK)
	return nil
}

// writeBlobItem writes a blob as List Blobs shows it.
func writeBlobItem(x *xmlWriter, b *blobEntry, metadata bool) {
	p := b.Props
	x.open("Blob")
	x.elem("Name", b.Name)
	x.open("Properties")
	x.elem("Creation-Time", httpTime(p.Created))
	x.elem("Last-Modified", httpTime(p.Modified))
	x.elem("Etag", strings.Trim(p.ETag, `"`))
	x.elem("Content-Length", strconv.FormatInt(b.Size, 10))
	x.elem("Content-Type", p.ContentType)
	x.elem("Content-Encoding", p.ContentEncoding)
	x.elem("Content-Language", p.ContentLanguage)
	if p.ContentMD5 != nil {
		x.elem("Content-MD5", base64.StdEncoding.EncodeToString(p.ContentMD5))
	}
	x.elem("Cache-Control", p.CacheControl)
	x.elem("Content-Disposition", p.ContentDisposition)
	x.elem("BlobType", "BlockBlob")
	if p.AccessTier != "" {
		x.elem("AccessTier", p.AccessTier)
	} else {
		x.elem("AccessTier", "Hot")
		x.elem("AccessTierInferred", "true")
	}
	x.elem("LeaseStatus", "unlocked")
	x.elem("LeaseState", "available")
	x.elem("ServerEncrypted", "true")
	x.close("Properties")
	if metadata {
		x.open("Metadata")
		for _, m := range p.Metadata {
			x.elem(m[0], m[1])
		}
		x.close("Metadata")
	}
	x.close("Blob")
}

// containerView is what the blob service shows of a container's ARM resource.
type containerView struct {
	name         string
	lastModified time.Time
	metadata     [][2]string
	publicAccess string // "", "blob" or "container"
}

func viewContainer(rec *record) containerView {
	body := rec.decoded()
	v := containerView{name: lastName(rec.Key)}
	if name, ok := body["name"].(string); ok && name != "" {
		v.name = name
	}
	props, _ := body["properties"].(map[string]any)
	system, _ := body["systemData"].(map[string]any)
	for _, s := range []any{props["lastModifiedTime"], system["lastModifiedAt"]} {
		if str, ok := s.(string); ok {
			if t, err := time.Parse(time.RFC3339Nano, str); err == nil {
				v.lastModified = t
				break
			}
		}
	}
	if meta, ok := props["metadata"].(map[string]any); ok {
		for k, val := range meta {
			v.metadata = append(v.metadata, [2]string{k, fmt.Sprint(val)})
		}
		slices.SortFunc(v.metadata, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	}
	switch access, _ := props["publicAccess"].(string); strings.ToLower(access) {
	case "blob", "container":
		v.publicAccess = strings.ToLower(access)
	}
	return v
}

// etag is a container's ETag, from the time it last changed.
func (v containerView) etag() string {
	return fmt.Sprintf("\"0x%X\"", v.lastModified.UnixNano()/100+116444736000000000)
}

// containerProperties serves Get Container Properties.
func (e *Emulator) containerProperties(r *blobRequest) error {
	if err := e.containerState(r); err != nil {
		return err
	}
	rec, err := e.store.get(r.Context(), r.containerKey, r.now)
	if err != nil {
		return err
	}
	if rec == nil {
		return errContainerNotFound()
	}
	v := viewContainer(rec)
	h := r.w.Header()
	h.Set("ETag", v.etag())
	h.Set("Last-Modified", v.lastModified.UTC().Format(http.TimeFormat))
	metadataHeaders(h, v.metadata)
	h.Set("x-ms-lease-status", "unlocked")
	h.Set("x-ms-lease-state", "available")
	h.Set("x-ms-has-immutability-policy", "false")
	h.Set("x-ms-has-legal-hold", "false")
	h.Set("x-ms-default-encryption-scope", "$account-encryption-key")
	h.Set("x-ms-deny-encryption-scope-override", "false")
	if v.publicAccess != "" {
		h.Set("x-ms-blob-public-access", v.publicAccess)
	}
	h.Set("Content-Length", "0")
	r.w.WriteHeader(http.StatusOK)
	return nil
}

// listContainers serves List Containers: the account's containers as ARM holds them.
func (e *Emulator) listContainers(r *blobRequest) error {
	p, err := readListParams(r, []string{"deleted", "system"})
	if err != nil {
		return err
	}
	parent := r.account.Key + "/blobservices/default"
	afterKey := ""
	if p.after != "" {
		afterKey = parent + "/containers/" + p.after
	}
	// Containers come by key, which is by name (container names are lower case): past the
	// names with the prefix, there are no more.
	var page []containerView
	done := false
	for !done && len(page) <= p.max {
		batch, err := e.store.children(r.Context(), parent, typeBlobContainer, afterKey, 500, r.now)
		if err != nil {
			return err
		}
		done = len(batch) < 500
		for _, rec := range batch {
			afterKey = rec.Key
			v := viewContainer(rec)
			if !strings.HasPrefix(v.name, p.prefix) {
				if v.name > p.prefix {
					done = true
					break
				}
				continue
			}
			if !rec.GoneAt.IsZero() {
				continue
			}
			page = append(page, v)
			if len(page) > p.max {
				break
			}
		}
	}
	next := ""
	if len(page) > p.max {
		page = page[:p.max]
		next = nextMarker(page[len(page)-1].name)
	}
	var x xmlWriter
	x.open("EnumerationResults", "ServiceEndpoint", e.blobServiceURL(r))
	if p.prefix != "" {
		x.elem("Prefix", p.prefix)
	}
	if p.marker != "" {
		x.elem("Marker", p.marker)
	}
	if p.maxGiven {
		x.elem("MaxResults", strconv.Itoa(p.max))
	}
	x.open("Containers")
	for _, v := range page {
		x.open("Container")
		x.elem("Name", v.name)
		x.open("Properties")
		x.elem("Last-Modified", v.lastModified.UTC().Format(http.TimeFormat))
		x.elem("Etag", v.etag())
		x.elem("LeaseStatus", "unlocked")
		x.elem("LeaseState", "available")
		x.elem("DefaultEncryptionScope", "$account-encryption-key")
		x.elem("DenyEncryptionScopeOverride", "false")
		x.elem("HasImmutabilityPolicy", "false")
		x.elem("HasLegalHold", "false")
		if v.publicAccess != "" {
			x.elem("PublicAccess", v.publicAccess)
		}
		x.close("Properties")
		if p.metadata {
			x.open("Metadata")
			for _, m := range v.metadata {
				x.elem(m[0], m[1])
			}
			x.close("Metadata")
		}
		x.close("Container")
	}
	x.close("Containers")
	x.elem("NextMarker", next)
	x.close("EnumerationResults")
	x.send(r.w, http.StatusOK)
	return nil
}

// accountInfo serves Get Account Information: the account's SKU and kind, from ARM.
func (e *Emulator) accountInfo(r *blobRequest) error {
	body := r.account.decoded()
	sku, _ := body["sku"].(map[string]any)
	props, _ := body["properties"].(map[string]any)
	h := r.w.Header()
	if name, ok := sku["name"].(string); ok {
		h.Set("x-ms-sku-name", name)
	}
	if kind, ok := body["kind"].(string); ok {
		h.Set("x-ms-account-kind", kind)
	}
	hns, _ := props["isHnsEnabled"].(bool)
	h.Set("x-ms-is-hns-enabled", strconv.FormatBool(hns))
	h.Set("Content-Length", "0")
	r.w.WriteHeader(http.StatusOK)
	return nil
}
