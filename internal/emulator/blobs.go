package emulator

import (
	"bytes"
	"crypto/md5"
	"database/sql"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The blob service: the data plane of Azure Blob Storage for the storage accounts the
// emulator holds, with path-style URLs as Azurite serves them, http://host:port/<account>/
// <container>/<blob>, so that Microsoft's blob SDKs work against it with the account's name
// and a key from listKeys. Accounts and containers are ARM resources (made and deleted through
// ARM, which deletes the blobs with them); blobs live in the emulator's database.

// BlobAPIVersion is the version of the blob service's REST API that answers carry when a
// request names none (they echo the x-ms-version of a request that does).
const BlobAPIVersion = "2026-12-06"

// MaxBlobBytes is the largest request body the blob service reads (a blob of one Put Blob, a
// block), and the largest blob a block list may commit: Microsoft's SDKs upload blobs up to
// 256 MiB in one request and larger ones in blocks.
const MaxBlobBytes = 256 << 20

// maxCommittedBytes is the largest blob Put Block List may commit (SQLite keeps a value of at
// most a billion bytes).
const maxCommittedBytes = 900 << 20

// blobError is an error as the storage service writes it: a status, an error code (also in the
// x-ms-error-code header) and a message, and detail elements of some codes.
type blobError struct {
	status        int
	code, message string
	details       [][2]string
}

func (e *blobError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

func blobErr(status int, code, message string, details ...[2]string) *blobError {
	return &blobError{status: status, code: code, message: message, details: details}
}

func errContainerNotFound() *blobError {
	return blobErr(http.StatusNotFound, "ContainerNotFound", "The specified container does not exist.")
}

func errBlobNotFound() *blobError {
	return blobErr(http.StatusNotFound, "BlobNotFound", "The specified blob does not exist.")
}

func errConditionNotMet() *blobError {
	return blobErr(http.StatusPreconditionFailed, "ConditionNotMet", "The condition specified using HTTP conditional header(s) is not met.")
}

func errUnsupportedHeader(name, why string) *blobError {
	return blobErr(http.StatusBadRequest, "UnsupportedHeader", "One of the HTTP headers specified in the request is not supported. "+why,
		[2]string{"HeaderName", name})
}

func errInvalidHeader(name, value string) *blobError {
	return blobErr(http.StatusBadRequest, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.",
		[2]string{"HeaderName", name}, [2]string{"HeaderValue", value})
}

func errInvalidQuery(name, value, reason string) *blobError {
	return blobErr(http.StatusBadRequest, "InvalidQueryParameterValue", "Value for one of the query parameters specified in the request URI is invalid.",
		[2]string{"QueryParameterName", name}, [2]string{"QueryParameterValue", value}, [2]string{"Reason", reason})
}

func errNotImplemented(what string) *blobError {
	return blobErr(http.StatusNotImplemented, "NotImplemented", "The requested operation is not implemented on the specified resource: the emulator's blob service does not implement "+what+".")
}

func errVerb() *blobError {
	return blobErr(http.StatusMethodNotAllowed, "UnsupportedHttpVerb", "The resource doesn't support specified Http Verb.")
}

// blobRequest is what the blob service's handlers need of a request.
type blobRequest struct {
	*http.Request
	w         http.ResponseWriter
	now       time.Time
	requestID string
	query     url.Values
	// account is the storage account's ARM record; accountName its name as the URL has it.
	account     *record
	accountName string
	// container and blob are the names in the URL ("" for the account's or the container's
	// own operations); containerKey is the container's ARM key.
	container, blob, containerKey string
}

// BlobHandler serves the blob service of the storage accounts the emulator holds, path-style:
// /<account>/, /<account>/<container>, /<account>/<container>/<blob>. Requests must be signed
// with Shared Key (the account's name and key1 or key2 of listKeys).
func (e *Emulator) BlobHandler() http.Handler { return http.HandlerFunc(e.serveBlob) }

func (e *Emulator) serveBlob(w http.ResponseWriter, r *http.Request) {
	req := &blobRequest{Request: r, w: w, now: e.opts.Now(), requestID: newID()}
	h := w.Header()
	h.Set("x-ms-request-id", req.requestID)
	version := r.Header.Get("x-ms-version")
	if version == "" || len(version) > 40 {
		version = BlobAPIVersion
	}
	h.Set("x-ms-version", version)
	h.Set("Server", "Windows-Azure-Blob/1.0 Microsoft-HTTPAPI/2.0")
	if id := r.Header.Get("x-ms-client-request-id"); id != "" && len(id) <= 1024 {
		h.Set("x-ms-client-request-id", id)
	}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			req.fail(blobErr(http.StatusInternalServerError, "InternalError", fmt.Sprintf("Server encountered an internal error (%v). Please try again after some time.", v)))
		}
	}()
	if err := e.blobRoute(req); err != nil {
		req.fail(err)
	}
}

// fail writes an error as the storage service does: XML, its code also in x-ms-error-code;
// no body for HEAD or a 304.
func (r *blobRequest) fail(err error) {
	var be *blobError
	if !errors.As(err, &be) {
		be = blobErr(http.StatusInternalServerError, "InternalError", "Server encountered an internal error ("+err.Error()+"). Please try again after some time.")
	}
	h := r.w.Header()
	h.Set("x-ms-error-code", be.code)
	if r.Method == http.MethodHead || be.status == http.StatusNotModified {
		r.w.WriteHeader(be.status)
		return
	}
	var x xmlWriter
	x.open("Error")
	x.elem("Code", be.code)
	x.elem("Message", be.message+"\nRequestId:"+r.requestID+"\nTime:"+r.now.UTC().Format("2006-01-02T15:04:05.0000000Z"))
	for _, d := range be.details {
		x.elem(d[0], d[1])
	}
	x.close("Error")
	x.send(r.w, be.status)
}

// blobRoute finds the account, authenticates the request and routes it to its operation.
func (e *Emulator) blobRoute(r *blobRequest) error {
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return blobErr(http.StatusBadRequest, "InvalidQueryParameterValue", "The query of the request URI is malformed: "+err.Error())
	}
	r.query = query
	path := strings.TrimPrefix(r.URL.Path, "/")
	account, rest, _ := strings.Cut(path, "/")
	r.accountName = account
	if account == "" {
		return blobErr(http.StatusBadRequest, "InvalidUri", "The requested URI does not represent any resource on the server: the emulator's blob URLs are path-style, /<account>/<container>/<blob>.")
	}
	recs, err := e.store.named(r.Context(), typeStorageAccount, account, r.now)
	if err != nil {
		return err
	}
	// An account being deleted still answers (its containers are being deleted too).
	for _, rec := range recs {
		if r.account == nil || rec.GoneAt.IsZero() {
			r.account = rec
		}
	}
	if r.account == nil {
		return blobErr(http.StatusNotFound, "ResourceNotFound", "The specified resource does not exist: the emulator holds no storage account '"+account+"'.")
	}
	if err := blobAuthenticate(r.Request, account, r.account.Key); err != nil {
		return err
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(r.w, r.Body, MaxBlobBytes)
	}
	restype, comp := query.Get("restype"), query.Get("comp")
	container, blob, _ := strings.Cut(rest, "/")
	if container == "" {
		return e.accountOperation(r, restype, comp)
	}
	if blob == "" && restype != "container" {
		// A blob of the root container: /<account>/<blob>.
		container, blob = "$root", container
	}
	if err := checkContainerName(container); err != nil {
		return err
	}
	r.container, r.blob = container, blob
	r.containerKey = r.account.Key + "/blobservices/default/containers/" + container
	if blob == "" {
		return e.containerOperation(r, comp)
	}
	if !utf8.ValidString(blob) {
		return blobErr(http.StatusBadRequest, "InvalidUri", "The requested URI does not represent any resource on the server: a blob name is UTF-8.")
	}
	if len(blob) > 1024 {
		return blobErr(http.StatusBadRequest, "OutOfRangeInput", "The specified resource name length is not within the permissible limits.")
	}
	return e.blobOperation(r, comp)
}

// checkContainerName refuses what no container can be named: 3 to 63 lower-case letters, digits
// and single hyphens, starting and ending with a letter or digit ($root, $web and $logs too).
func checkContainerName(name string) error {
	switch name {
	case "$root", "$web", "$logs":
		return nil
	}
	if len(name) < 3 || len(name) > 63 {
		return blobErr(http.StatusBadRequest, "OutOfRangeInput", "The specified resource name length is not within the permissible limits.")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' && i > 0 && i < len(name)-1 && name[i-1] != '-'
		if !ok {
			return blobErr(http.StatusBadRequest, "InvalidResourceName", "The specified resource name contains invalid characters.")
		}
	}
	return nil
}

// accountOperation serves /<account>/: the blob service's properties, the account's
// information, the list of containers.
func (e *Emulator) accountOperation(r *blobRequest, restype, comp string) error {
	switch {
	case restype == "service" && comp == "properties":
		switch r.Method {
		case http.MethodGet:
			return e.getServiceProperties(r)
		case http.MethodPut:
			return e.setServiceProperties(r)
		}
		return errVerb()
	case restype == "account" && comp == "properties":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			return errVerb()
		}
		return e.accountInfo(r)
	case comp == "list" && restype == "":
		if r.Method != http.MethodGet {
			return errVerb()
		}
		return e.listContainers(r)
	case restype == "service" && (comp == "stats" || comp == "userdelegationkey"):
		return errNotImplemented("the service operation comp=" + comp)
	case comp == "batch" || comp == "blobs":
		return errNotImplemented("comp=" + comp)
	case comp != "":
		return errInvalidQuery("comp", comp, "The account's operations are restype=service&comp=properties, restype=account&comp=properties and comp=list.")
	}
	return blobErr(http.StatusBadRequest, "InvalidUri", "The requested URI does not represent any resource on the server.")
}

// containerOperation serves /<account>/<container>?restype=container: its properties and
// the list of its blobs. Containers are made and deleted through ARM.
func (e *Emulator) containerOperation(r *blobRequest, comp string) error {
	switch comp {
	case "list":
		if r.Method != http.MethodGet {
			return errVerb()
		}
		return e.listBlobs(r)
	case "":
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			return e.containerProperties(r)
		case http.MethodPut:
			if rec, err := e.store.get(r.Context(), r.containerKey, r.now); err != nil {
				return err
			} else if rec != nil {
				return blobErr(http.StatusConflict, "ContainerAlreadyExists", "The specified container already exists.")
			}
			return errNotImplemented("Create Container: create containers through ARM (Microsoft.Storage/storageAccounts/blobServices/containers)")
		case http.MethodDelete:
			return errNotImplemented("Delete Container: delete containers through ARM, which deletes their blobs")
		}
		return errVerb()
	case "metadata", "acl", "lease", "undelete", "rename", "batch", "blobs":
		return errNotImplemented("the container operation comp=" + comp)
	}
	return errInvalidQuery("comp", comp, "Unknown container operation.")
}

// blobOperation serves /<account>/<container>/<blob>.
func (e *Emulator) blobOperation(r *blobRequest, comp string) error {
	switch comp {
	case "":
		switch r.Method {
		case http.MethodPut:
			if r.Header.Get("x-ms-copy-source") != "" {
				return errNotImplemented("Copy Blob and Put Blob From URL")
			}
			return e.putBlob(r)
		case http.MethodGet, http.MethodHead:
			return e.getBlob(r)
		case http.MethodDelete:
			return e.deleteBlob(r)
		}
	case "metadata":
		switch r.Method {
		case http.MethodPut:
			return e.setBlobMetadata(r)
		case http.MethodGet, http.MethodHead:
			return e.getBlobMetadata(r)
		}
	case "properties":
		if r.Method == http.MethodPut {
			return e.setBlobHTTPHeaders(r)
		}
	case "block":
		if r.Method == http.MethodPut {
			if r.Header.Get("x-ms-copy-source") != "" {
				return errNotImplemented("Put Block From URL")
			}
			return e.putBlock(r)
		}
	case "blocklist":
		switch r.Method {
		case http.MethodPut:
			return e.putBlockList(r)
		case http.MethodGet:
			return e.getBlockList(r)
		}
	case "lease", "snapshot", "copy", "tier", "tags", "appendblock", "seal", "page", "pagelist", "incrementalcopy",
		"undelete", "expiry", "immutabilityPolicies", "legalhold", "query":
		return errNotImplemented("the blob operation comp=" + comp)
	default:
		return errInvalidQuery("comp", comp, "Unknown blob operation.")
	}
	return errVerb()
}

// containerState refuses a request on a container that is not a live ARM resource.
func (e *Emulator) containerState(r *blobRequest) error {
	return blobStateError(liveState(r.Context(), e.store.reader, r.containerKey, r.now))
}

// blobStateError turns the store's findings on a container into the service's errors.
func blobStateError(err error) error {
	switch {
	case errors.Is(err, errNoContainer):
		return errContainerNotFound()
	case errors.Is(err, errContainerDeleting):
		return blobErr(http.StatusConflict, "ContainerBeingDeleted", "The specified container is being deleted.")
	case errors.Is(err, errNoAccount):
		return blobErr(http.StatusNotFound, "ResourceNotFound", "The specified resource does not exist.")
	}
	return err
}

// newETag is an ETag as the service writes them ("0x" and a FILETIME in hex), never the same
// twice in one emulator.
func (e *Emulator) newETag(now time.Time) string {
	ft := now.UnixNano()/100 + 116444736000000000
	for {
		last := e.lastETag.Load()
		next := max(ft, last+1)
		if e.lastETag.CompareAndSwap(last, next) {
			return fmt.Sprintf("\"0x%X\"", next)
		}
	}
}

// refuseLease answers a request that names a lease: the emulator has no leases.
func refuseLease(r *blobRequest) error {
	if r.Header.Get("x-ms-lease-id") != "" {
		return blobErr(http.StatusPreconditionFailed, "LeaseNotPresentWithBlobOperation", "There is currently no lease on the blob.")
	}
	return nil
}

// unsupportedWriteHeaders are headers of blob writes whose meaning the emulator does not keep:
// refused rather than ignored.
var unsupportedWriteHeaders = []string{
	"x-ms-encryption-key", "x-ms-encryption-scope", "x-ms-tags", "x-ms-if-tags", "x-ms-immutability-policy-until-date",
	"x-ms-immutability-policy-mode", "x-ms-legal-hold", "x-ms-structured-body", "x-ms-source-if-tags",
}

func refuseUnsupported(r *blobRequest) error {
	for _, name := range unsupportedWriteHeaders {
		if r.Header.Get(name) != "" {
			return errUnsupportedHeader(name, "The emulator's blob service does not keep it.")
		}
	}
	return refuseLease(r)
}

// checkConditions applies a request's conditional headers to a blob (nil: none). Reads that
// fail If-None-Match or If-Modified-Since get 304; everything else that fails gets 412, a
// write with If-None-Match: * on a blob that exists 409.
func checkConditions(r *blobRequest, b *blobEntry, read bool) error {
	h := r.Header
	notModified := blobErr(http.StatusNotModified, "ConditionNotMet", "The condition specified using HTTP conditional header(s) is not met.")
	if m := h.Get("If-Match"); m != "" {
		if b == nil || !etagMatches(m, b.Props.ETag) {
			return errConditionNotMet()
		}
	}
	if m := h.Get("If-None-Match"); m != "" && b != nil && etagMatches(m, b.Props.ETag) {
		switch {
		case read:
			return notModified
		case strings.TrimSpace(m) == "*":
			return blobErr(http.StatusConflict, "BlobAlreadyExists", "The specified blob already exists.")
		}
		return errConditionNotMet()
	}
	if b == nil {
		return nil
	}
	modified := time.Unix(0, b.Props.Modified).Truncate(time.Second)
	if s := h.Get("If-Modified-Since"); s != "" {
		if t, err := http.ParseTime(s); err == nil && !modified.After(t) {
			if read {
				return notModified
			}
			return errConditionNotMet()
		}
	}
	if s := h.Get("If-Unmodified-Since"); s != "" {
		if t, err := http.ParseTime(s); err == nil && modified.After(t) {
			return errConditionNotMet()
		}
	}
	return nil
}

// etagMatches: an If-Match or If-None-Match list names the ETag (or is *).
func etagMatches(list, etag string) bool {
	for _, v := range strings.Split(list, ",") {
		v = strings.TrimSpace(v)
		if v == "*" || v == etag || strings.Trim(v, `"`) == strings.Trim(etag, `"`) {
			return true
		}
	}
	return false
}

// metadataOf reads the x-ms-meta- headers: names lower-cased, sorted; names must be C#
// identifiers, and names and values 8 KiB at most in all.
func metadataOf(r *blobRequest) ([][2]string, error) {
	var out [][2]string
	total := 0
	for k, vs := range r.Header {
		lower := strings.ToLower(k)
		if !strings.HasPrefix(lower, "x-ms-meta-") {
			continue
		}
		name := lower[len("x-ms-meta-"):]
		if !validMetadataName(name) {
			return nil, blobErr(http.StatusBadRequest, "InvalidMetadata", "The metadata specified is invalid. It has characters that are not permitted.",
				[2]string{"MetadataName", name})
		}
		value := strings.Join(vs, ",")
		total += len(name) + len(value)
		out = append(out, [2]string{name, value})
	}
	if total > 8<<10 {
		return nil, blobErr(http.StatusBadRequest, "MetadataTooLarge", "The size of the specified metadata exceeds the maximum size permitted.")
	}
	slices.SortFunc(out, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return out, nil
}

func validMetadataName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c == '_' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// md5Header decodes an MD5 header: nil when absent, InvalidMd5 when not 128 bits in base64.
func md5Header(r *blobRequest, name string) ([]byte, error) {
	v := r.Header.Get(name)
	if v == "" {
		return nil, nil
	}
	sum, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(sum) != md5.Size {
		return nil, blobErr(http.StatusBadRequest, "InvalidMd5", "The MD5 value specified in the request is invalid. The MD5 value must be 128 bits and Base64-encoded.")
	}
	return sum, nil
}

// checkMD5 compares an MD5 a request gives with the content's.
func checkMD5(given []byte, actual [md5.Size]byte) error {
	if given != nil && !bytes.Equal(given, actual[:]) {
		return blobErr(http.StatusBadRequest, "Md5Mismatch", "The MD5 value specified in the request did not match with the MD5 value calculated by the server.",
			[2]string{"UserSpecifiedMd5", base64.StdEncoding.EncodeToString(given)}, [2]string{"ServerCalculatedMd5", base64.StdEncoding.EncodeToString(actual[:])})
	}
	return nil
}

// readContent reads a request's body, at most MaxBlobBytes; the request must say its length.
func readContent(r *blobRequest) ([]byte, error) {
	if r.ContentLength < 0 {
		return nil, blobErr(http.StatusLengthRequired, "MissingContentLengthHeader", "The Content-Length header was not specified.")
	}
	if r.ContentLength > MaxBlobBytes {
		return nil, blobErr(http.StatusRequestEntityTooLarge, "RequestBodyTooLarge", fmt.Sprintf("The request body is too large and exceeds the maximum permissible limit (the emulator's: %d bytes; upload larger blobs in blocks).", MaxBlobBytes))
	}
	content := make([]byte, 0, r.ContentLength)
	buf := bytes.NewBuffer(content)
	if _, err := io.Copy(buf, r.Body); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, blobErr(http.StatusRequestEntityTooLarge, "RequestBodyTooLarge", "The request body is too large and exceeds the maximum permissible limit.")
		}
		return nil, blobErr(http.StatusBadRequest, "InvalidInput", "The request body could not be read: "+err.Error())
	}
	return buf.Bytes(), nil
}

// httpHeadersOf reads the blob's standard properties a write sets: x-ms-blob-content-type
// and its kin, else (standardHeaders, for Put Blob) the request's own Content-Type and kin.
// writtenProps are the properties a blob write (Put Blob, Put Block List) sets from its
// headers: the content headers (the standard ones too with standardHeaders), the access tier
// and the metadata.
func writtenProps(r *blobRequest, standardHeaders bool) (blobProps, error) {
	var props blobProps
	httpHeadersOf(r, &props, standardHeaders)
	tier, err := accessTierOf(r)
	if err != nil {
		return props, err
	}
	props.AccessTier = tier
	props.Metadata, err = metadataOf(r)
	return props, err
}

func httpHeadersOf(r *blobRequest, p *blobProps, standardHeaders bool) {
	pick := func(name, standard string) string {
		if v := r.Header.Get(name); v != "" || !standardHeaders || standard == "" {
			return v
		}
		return r.Header.Get(standard)
	}
	p.ContentType = pick("x-ms-blob-content-type", "Content-Type")
	p.ContentEncoding = pick("x-ms-blob-content-encoding", "Content-Encoding")
	p.ContentLanguage = pick("x-ms-blob-content-language", "Content-Language")
	p.CacheControl = pick("x-ms-blob-cache-control", "Cache-Control")
	p.ContentDisposition = pick("x-ms-blob-content-disposition", "")
	if p.ContentType == "" && standardHeaders {
		p.ContentType = "application/octet-stream"
	}
}

// accessTierOf reads x-ms-access-tier: Hot, Cool or Cold ("" when absent).
func accessTierOf(r *blobRequest) (string, error) {
	v := r.Header.Get("x-ms-access-tier")
	switch strings.ToLower(v) {
	case "":
		return "", nil
	case "hot", "cool", "cold":
		return strings.ToUpper(v[:1]) + strings.ToLower(v[1:]), nil
	case "archive":
		return "", errUnsupportedHeader("x-ms-access-tier", "The emulator does not archive blobs.")
	}
	return "", errInvalidHeader("x-ms-access-tier", v)
}

// putBlob serves Put Blob, of block blobs.
func (e *Emulator) putBlob(r *blobRequest) error {
	switch t := r.Header.Get("x-ms-blob-type"); t {
	case "BlockBlob":
	case "":
		return blobErr(http.StatusBadRequest, "MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified.", [2]string{"HeaderName", "x-ms-blob-type"})
	case "PageBlob", "AppendBlob":
		return errUnsupportedHeader("x-ms-blob-type", "The emulator's blob service keeps block blobs only.")
	default:
		return errInvalidHeader("x-ms-blob-type", t)
	}
	if err := refuseUnsupported(r); err != nil {
		return err
	}
	props, err := writtenProps(r, true)
	if err != nil {
		return err
	}
	declared, err := md5Header(r, "x-ms-blob-content-md5")
	if err != nil {
		return err
	}
	content, sum, err := e.receivedContent(r)
	if err != nil {
		return err
	}
	if err := checkMD5(declared, sum); err != nil {
		return err
	}
	props.ContentMD5 = sum[:]
	props.ETag = e.newETag(r.now)
	props.Created, props.Modified = r.now.UnixNano(), r.now.UnixNano()
	b := &blobEntry{Name: r.blob, Size: int64(len(content)), Props: props}
	err = e.store.blobTx(r.Context(), r.containerKey, r.now, func(tx *sql.Tx) error {
		existing, err := blobIn(r.Context(), tx, r.containerKey, r.blob)
		if err != nil {
			return err
		}
		if err := checkConditions(r, existing, false); err != nil {
			return err
		}
		return putBlobRow(r.Context(), tx, r.containerKey, b, content)
	})
	if err != nil {
		return blobStateError(err)
	}
	h := r.w.Header()
	writtenHeaders(h, b)
	h.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	h.Set("Content-Length", "0")
	r.w.WriteHeader(http.StatusCreated)
	return nil
}

// writtenHeaders are the headers of the answer to a write of a blob.
func writtenHeaders(h http.Header, b *blobEntry) {
	h.Set("ETag", b.Props.ETag)
	h.Set("Last-Modified", httpTime(b.Props.Modified))
	h.Set("x-ms-request-server-encrypted", "true")
}

func httpTime(nanos int64) string { return time.Unix(0, nanos).UTC().Format(http.TimeFormat) }

// blobHeaders are the headers that describe a blob in Get Blob and Get Blob Properties.
func blobHeaders(h http.Header, b *blobEntry) {
	h.Set("ETag", b.Props.ETag)
	h.Set("Last-Modified", httpTime(b.Props.Modified))
	h.Set("x-ms-creation-time", httpTime(b.Props.Created))
	h.Set("x-ms-blob-type", "BlockBlob")
	h.Set("x-ms-lease-state", "available")
	h.Set("x-ms-lease-status", "unlocked")
	h.Set("x-ms-server-encrypted", "true")
	h.Set("Accept-Ranges", "bytes")
	h.Set("Content-Type", b.Props.ContentType)
	for name, v := range map[string]string{"Content-Encoding": b.Props.ContentEncoding, "Content-Language": b.Props.ContentLanguage,
		"Cache-Control": b.Props.CacheControl, "Content-Disposition": b.Props.ContentDisposition} {
		if v != "" {
			h.Set(name, v)
		}
	}
	metadataHeaders(h, b.Props.Metadata)
}

// metadataHeaders writes metadata as x-ms-meta- headers, with the names' case as stored.
func metadataHeaders(h http.Header, metadata [][2]string) {
	for _, m := range metadata {
		h["x-ms-meta-"+m[0]] = []string{m[1]}
	}
}

// byteRange reads the range a Get Blob asks for (x-ms-range before Range): offset and count
// (-1: to the end); ok false when it asks for none.
func byteRange(r *blobRequest) (offset, count int64, ok bool, err error) {
	name, v := "x-ms-range", r.Header.Get("x-ms-range")
	if v == "" {
		name, v = "Range", r.Header.Get("Range")
	}
	if v == "" {
		return 0, -1, false, nil
	}
	spec, found := strings.CutPrefix(v, "bytes=")
	first, last, dash := strings.Cut(spec, "-")
	start, err1 := strconv.ParseInt(first, 10, 64)
	if !found || !dash || err1 != nil || start < 0 {
		if name == "Range" {
			return 0, -1, false, nil // a Range the service cannot read is ignored, as HTTP says
		}
		return 0, 0, false, errInvalidHeader(name, v)
	}
	if last == "" {
		return start, -1, true, nil
	}
	end, err2 := strconv.ParseInt(last, 10, 64)
	if err2 != nil || end < start {
		if name == "Range" {
			return 0, -1, false, nil
		}
		return 0, 0, false, errInvalidHeader(name, v)
	}
	return start, end - start + 1, true, nil
}

// getBlob serves Get Blob (GET) and Get Blob Properties (HEAD).
func (e *Emulator) getBlob(r *blobRequest) error {
	if err := refuseLease(r); err != nil {
		return err
	}
	if err := e.containerState(r); err != nil {
		return err
	}
	h := r.w.Header()
	if r.Method == http.MethodHead {
		b, err := e.readableBlob(r)
		if err != nil {
			return err
		}
		blobHeaders(h, b)
		h.Set("Content-Length", strconv.FormatInt(b.Size, 10))
		if b.Props.ContentMD5 != nil {
			h.Set("Content-MD5", base64.StdEncoding.EncodeToString(b.Props.ContentMD5))
		}
		if b.Props.AccessTier != "" {
			h.Set("x-ms-access-tier", b.Props.AccessTier)
		} else {
			h.Set("x-ms-access-tier", "Hot")
			h.Set("x-ms-access-tier-inferred", "true")
		}
		if n := len(b.Props.Blocks); n > 0 {
			h.Set("x-ms-blob-committed-block-count", strconv.Itoa(n))
		}
		r.w.WriteHeader(http.StatusOK)
		return nil
	}
	offset, count, ranged, err := byteRange(r)
	if err != nil {
		return err
	}
	b, content, err := e.store.blobWithContent(r.Context(), r.containerKey, r.blob, offset, count)
	if err != nil {
		return err
	}
	if b == nil {
		return errBlobNotFound()
	}
	if err := checkConditions(r, b, true); err != nil {
		return err
	}
	if ranged && offset >= b.Size {
		h.Set("Content-Range", fmt.Sprintf("bytes */%d", b.Size))
		return blobErr(http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The range specified is invalid for the current size of the resource.")
	}
	blobHeaders(h, b)
	h.Set("Content-Length", strconv.Itoa(len(content)))
	status := http.StatusOK
	if ranged {
		status = http.StatusPartialContent
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", offset, offset+int64(len(content))-1, b.Size))
		if b.Props.ContentMD5 != nil {
			h.Set("x-ms-blob-content-md5", base64.StdEncoding.EncodeToString(b.Props.ContentMD5))
		}
		if strings.EqualFold(r.Header.Get("x-ms-range-get-content-md5"), "true") {
			if len(content) > 4<<20 {
				return blobErr(http.StatusBadRequest, "OutOfRangeInput", "One of the request inputs is out of range: x-ms-range-get-content-md5 needs a range of 4 MiB at most.")
			}
			sum := md5.Sum(content)
			h.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
		}
	} else if b.Props.ContentMD5 != nil {
		h.Set("Content-MD5", base64.StdEncoding.EncodeToString(b.Props.ContentMD5))
	}
	r.w.WriteHeader(status)
	r.w.Write(content)
	return nil
}

// deleteBlob serves Delete Blob.
func (e *Emulator) deleteBlob(r *blobRequest) error {
	if err := refuseLease(r); err != nil {
		return err
	}
	if v := r.Header.Get("x-ms-delete-snapshots"); v != "" && v != "include" && v != "only" {
		return errInvalidHeader("x-ms-delete-snapshots", v)
	}
	if r.query.Get("snapshot") != "" || r.query.Get("versionid") != "" {
		return errNotImplemented("snapshots and versions")
	}
	err := e.store.blobTx(r.Context(), r.containerKey, r.now, func(tx *sql.Tx) error {
		b, err := blobIn(r.Context(), tx, r.containerKey, r.blob)
		if err != nil {
			return err
		}
		if b == nil {
			return errBlobNotFound()
		}
		if err := checkConditions(r, b, false); err != nil {
			return err
		}
		return deleteBlobRow(r.Context(), tx, r.containerKey, r.blob)
	})
	if err != nil {
		return blobStateError(err)
	}
	r.w.Header().Set("x-ms-delete-type-permanent", "true")
	r.w.WriteHeader(http.StatusAccepted)
	return nil
}

// changeBlob changes a blob's properties in a transaction: change edits them; the blob gets a
// new ETag and modification time. It answers 200 with the written headers.
func (e *Emulator) changeBlob(r *blobRequest, change func(*blobProps)) error {
	if err := refuseUnsupported(r); err != nil {
		return err
	}
	var b *blobEntry
	err := e.store.blobTx(r.Context(), r.containerKey, r.now, func(tx *sql.Tx) error {
		var err error
		if b, err = blobIn(r.Context(), tx, r.containerKey, r.blob); err != nil {
			return err
		}
		if b == nil {
			return errBlobNotFound()
		}
		if err := checkConditions(r, b, false); err != nil {
			return err
		}
		change(&b.Props)
		b.Props.ETag = e.newETag(r.now)
		b.Props.Modified = r.now.UnixNano()
		return putBlobRow(r.Context(), tx, r.containerKey, b, nil)
	})
	if err != nil {
		return blobStateError(err)
	}
	writtenHeaders(r.w.Header(), b)
	r.w.WriteHeader(http.StatusOK)
	return nil
}

// setBlobMetadata serves Set Blob Metadata: the request's metadata replace the blob's.
func (e *Emulator) setBlobMetadata(r *blobRequest) error {
	metadata, err := metadataOf(r)
	if err != nil {
		return err
	}
	return e.changeBlob(r, func(p *blobProps) { p.Metadata = metadata })
}

// setBlobHTTPHeaders serves Set Blob Properties: the standard properties the request does not
// give are cleared, as the service does.
func (e *Emulator) setBlobHTTPHeaders(r *blobRequest) error {
	sum, err := md5Header(r, "x-ms-blob-content-md5")
	if err != nil {
		return err
	}
	for _, name := range []string{"x-ms-blob-content-length", "x-ms-sequence-number-action"} {
		if r.Header.Get(name) != "" {
			return errUnsupportedHeader(name, "It applies to page blobs, which the emulator does not keep.")
		}
	}
	return e.changeBlob(r, func(p *blobProps) {
		httpHeadersOf(r, p, false)
		p.ContentMD5 = sum
	})
}

// receivedContent reads a write's content into a live container, checked against the
// request's Content-MD5 when it has one; it returns the content and its MD5.
func (e *Emulator) receivedContent(r *blobRequest) ([]byte, [md5.Size]byte, error) {
	transactional, err := md5Header(r, "Content-MD5")
	if err != nil {
		return nil, [md5.Size]byte{}, err
	}
	if err := e.containerState(r); err != nil {
		return nil, [md5.Size]byte{}, err
	}
	content, err := readContent(r)
	if err != nil {
		return nil, [md5.Size]byte{}, err
	}
	sum := md5.Sum(content)
	return content, sum, checkMD5(transactional, sum)
}

// readableBlob is the blob a request reads: BlobNotFound when there is none, an error when the
// request's conditions (If-Match and the like) refuse it.
func (e *Emulator) readableBlob(r *blobRequest) (*blobEntry, error) {
	b, err := e.store.blob(r.Context(), r.containerKey, r.blob)
	if err != nil {
		return nil, err
	}
	if b == nil {
		return nil, errBlobNotFound()
	}
	if err := checkConditions(r, b, true); err != nil {
		return nil, err
	}
	return b, nil
}

// getBlobMetadata serves Get Blob Metadata.
func (e *Emulator) getBlobMetadata(r *blobRequest) error {
	if err := refuseLease(r); err != nil {
		return err
	}
	if err := e.containerState(r); err != nil {
		return err
	}
	b, err := e.readableBlob(r)
	if err != nil {
		return err
	}
	h := r.w.Header()
	h.Set("ETag", b.Props.ETag)
	h.Set("Last-Modified", httpTime(b.Props.Modified))
	metadataHeaders(h, b.Props.Metadata)
	h.Set("Content-Length", "0")
	r.w.WriteHeader(http.StatusOK)
	return nil
}

// xmlWriter writes the service's XML answers element by element (metadata are elements named
// by the metadata's names, which encoding/xml's structs cannot write).
type xmlWriter struct{ b bytes.Buffer }

func (x *xmlWriter) start() {
	if x.b.Len() == 0 {
		x.b.WriteString(`<?xml version="1.0" encoding="utf-8"?>`)
	}
}

// open writes a start tag, with attributes as name-value pairs.
func (x *xmlWriter) open(name string, attrs ...string) {
	x.start()
	x.b.WriteByte('<')
	x.b.WriteString(name)
	for i := 0; i+1 < len(attrs); i += 2 {
		x.b.WriteByte(' ')
		x.b.WriteString(attrs[i])
		x.b.WriteString(`="`)
		xml.EscapeText(&x.b, []byte(attrs[i+1]))
		x.b.WriteByte('"')
	}
	x.b.WriteByte('>')
}

func (x *xmlWriter) close(name string) {
	x.b.WriteString("</")
	x.b.WriteString(name)
	x.b.WriteByte('>')
}

// elem writes an element with text; empty text writes an empty element.
func (x *xmlWriter) elem(name, text string) {
	if text == "" {
		x.start()
		x.b.WriteString("<" + name + " />")
		return
	}
	x.open(name)
	xml.EscapeText(&x.b, []byte(text))
	x.close(name)
}

func (x *xmlWriter) send(w http.ResponseWriter, status int) {
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(x.b.Len()))
	w.WriteHeader(status)
	w.Write(x.b.Bytes())
}
