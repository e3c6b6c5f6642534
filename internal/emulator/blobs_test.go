package emulator

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/service"
)

// blobCloud is an emulator serving ARM and the blob service, each on a loopback port of its own.
type blobCloud struct {
	e        *Emulator
	arm      *httptest.Server
	endpoint string // the blob service's base URL
}

func newBlobCloud(t *testing.T, opts Options) *blobCloud {
	t.Helper()
	blobs := httptest.NewUnstartedServer(nil)
	opts.BlobEndpoint = "http://" + blobs.Listener.Addr().String()
	e, err := New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	blobs.Config.Handler = e.BlobHandler()
	blobs.Start()
	arm := httptest.NewServer(e)
	t.Cleanup(func() { arm.Close(); blobs.Close(); e.Close() })
	return &blobCloud{e: e, arm: arm, endpoint: opts.BlobEndpoint}
}

const storageAPI = "?api-version=2023-05-01"

// account makes a resource group, a storage account and containers through ARM, and returns
// the account's key1 and key2 as listKeys gives them.
func (c *blobCloud) account(t *testing.T, group, name string, containers ...string) (string, string) {
	t.Helper()
	rg := sub + "/resourceGroups/" + group
	if s, code, _ := call(t, c.arm, "PUT", rg+"?api-version=2021-04-01", "t", `{"location":"westeurope"}`); s >= 300 {
		t.Fatalf("resource group: %d %s", s, code)
	}
	id := rg + "/providers/Microsoft.Storage/storageAccounts/" + name
	if s, code, _ := call(t, c.arm, "PUT", id+storageAPI, "t", acctBody); s >= 300 {
		t.Fatalf("account: %d %s", s, code)
	}
	for _, ct := range containers {
		c.container(t, id, ct)
	}
	s, code, body := call(t, c.arm, "POST", id+"/listKeys"+storageAPI, "t", "")
	if s != 200 {
		t.Fatalf("listKeys: %d %s", s, code)
	}
	keys := body["keys"].([]any)
	return keys[0].(map[string]any)["value"].(string), keys[1].(map[string]any)["value"].(string)
}

func (c *blobCloud) container(t *testing.T, accountID, name string) {
	t.Helper()
	if s, code, _ := call(t, c.arm, "PUT", accountID+"/blobServices/default/containers/"+name+storageAPI, "t", `{"properties":{}}`); s >= 300 {
		t.Fatalf("container %s: %d %s", name, s, code)
	}
}

// client is Microsoft's blob client for an account of the emulator, with a Shared Key.
func (c *blobCloud) client(t *testing.T, account, key string) *azblob.Client {
	t.Helper()
	cred, err := azblob.NewSharedKeyCredential(account, key)
	if err != nil {
		t.Fatal(err)
	}
	client, err := azblob.NewClientWithSharedKeyCredential(c.endpoint+"/"+account+"/", cred, &azblob.ClientOptions{
		ClientOptions: policy.ClientOptions{Retry: policy.RetryOptions{MaxRetries: -1}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func statusOf(err error) int {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return re.StatusCode
	}
	return 0
}

func TestBlobEndpointShownInAccounts(t *testing.T) {
	db := filepath.Join(t.TempDir(), "arm.db")
	c := newBlobCloud(t, Options{DBPath: db})
	rg := sub + "/resourceGroups/rg"
	call(t, c.arm, "PUT", rg+"?api-version=2021-04-01", "t", `{"location":"westeurope"}`)
	want := c.endpoint + "/acct/"
	blobOf := func(body map[string]any) any {
		return body["properties"].(map[string]any)["primaryEndpoints"].(map[string]any)["blob"]
	}
	_, _, put := call(t, c.arm, "PUT", acct+storageAPI, "t", acctBody)
	if got := blobOf(put); got != want {
		t.Errorf("PUT answer shows %v, want %s", got, want)
	}
	_, _, got := call(t, c.arm, "GET", acct+storageAPI, "t", "")
	if blobOf(got) != want {
		t.Errorf("GET shows %v, want %s", blobOf(got), want)
	}
	primary := got["properties"].(map[string]any)["primaryEndpoints"].(map[string]any)
	if primary["queue"] != "https://acct.queue.core.windows.net/" {
		t.Errorf("the other endpoints change too: %v", primary)
	}
	for _, list := range []string{rg + "/providers/Microsoft.Storage/storageAccounts", sub + "/providers/Microsoft.Storage/storageAccounts"} {
		_, _, page := call(t, c.arm, "GET", list+storageAPI, "t", "")
		value := page["value"].([]any)
		if len(value) != 1 || blobOf(value[0].(map[string]any)) != want {
			t.Errorf("list %s shows %v", list, value)
		}
	}
	// The address is the serving emulator's, not stored: without a blob service, Azure's again.
	c.arm.Close()
	c.e.Close()
	plain := newServer(t, Options{DBPath: db})
	_, _, got = call(t, plain, "GET", acct+storageAPI, "t", "")
	if blobOf(got) != "https://acct.blob.core.windows.net/" {
		t.Errorf("without BlobEndpoint: %v", blobOf(got))
	}
}

func TestBlobsWithTheSDK(t *testing.T) {
	c := newBlobCloud(t, Options{})
	key1, key2 := c.account(t, "rg", "acct", "data")
	client := c.client(t, "acct", key1)
	ctx := context.Background()

	content := []byte("hello, blob storage\n")
	sum := md5.Sum(content)
	bb := client.ServiceClient().NewContainerClient("data").NewBlockBlobClient("dir/hello.txt")
	up, err := bb.Upload(ctx, streamOf(content), &blockblob.UploadOptions{
		HTTPHeaders:             &blob.HTTPHeaders{BlobContentType: to.Ptr("text/plain"), BlobContentMD5: sum[:]},
		TransactionalValidation: blob.TransferValidationTypeMD5(sum[:]),
		Metadata:                map[string]*string{"owner": to.Ptr("gru"), "purpose": to.Ptr("test")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if up.ETag == nil || up.LastModified == nil || !bytes.Equal(up.ContentMD5, sum[:]) || up.IsServerEncrypted == nil || !*up.IsServerEncrypted {
		t.Errorf("upload answer: %+v", up)
	}

	props, err := bb.GetProperties(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if *props.ContentLength != int64(len(content)) || *props.ContentType != "text/plain" || !bytes.Equal(props.ContentMD5, sum[:]) ||
		*props.BlobType != blob.BlobTypeBlockBlob || *props.ETag != *up.ETag {
		t.Errorf("properties: length %d type %s md5 %x blob type %s etag %s", *props.ContentLength, *props.ContentType, props.ContentMD5, *props.BlobType, *props.ETag)
	}
	if meta := lowerKeys(props.Metadata); meta["owner"] != "gru" || meta["purpose"] != "test" || len(meta) != 2 {
		t.Errorf("metadata: %v", meta)
	}

	got, err := client.DownloadStream(ctx, "data", "dir/hello.txt", nil)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if !bytes.Equal(data, content) || !bytes.Equal(got.ContentMD5, sum[:]) {
		t.Errorf("downloaded %q (md5 %x)", data, got.ContentMD5)
	}
	part, err := client.DownloadStream(ctx, "data", "dir/hello.txt", &azblob.DownloadStreamOptions{Range: azblob.HTTPRange{Offset: 7, Count: 4}})
	if err != nil {
		t.Fatal(err)
	}
	data, _ = io.ReadAll(part.Body)
	part.Body.Close()
	if string(data) != "blob" || *part.ContentRange != fmt.Sprintf("bytes 7-10/%d", len(content)) {
		t.Errorf("range: %q %s", data, *part.ContentRange)
	}

	// key2 works as well as key1.
	if _, err := c.client(t, "acct", key2).ServiceClient().NewContainerClient("data").NewBlobClient("dir/hello.txt").GetProperties(ctx, nil); err != nil {
		t.Errorf("with key2: %v", err)
	}

	if _, err := client.DeleteBlob(ctx, "data", "dir/hello.txt", nil); err != nil {
		t.Fatal(err)
	}
	_, err = bb.GetProperties(ctx, nil)
	if !bloberror.HasCode(err, bloberror.BlobNotFound) || statusOf(err) != 404 {
		t.Errorf("properties after delete: %v", err)
	}
	_, err = client.DownloadStream(ctx, "data", "dir/hello.txt", nil)
	if !bloberror.HasCode(err, bloberror.BlobNotFound) {
		t.Errorf("download after delete: %v", err)
	}
	if _, err := client.DeleteBlob(ctx, "data", "dir/hello.txt", nil); !bloberror.HasCode(err, bloberror.BlobNotFound) {
		t.Errorf("second delete: %v", err)
	}
}

func streamOf(b []byte) io.ReadSeekCloser { return nopCloser{bytes.NewReader(b)} }

type nopCloser struct{ io.ReadSeeker }

func (nopCloser) Close() error { return nil }

// lowerKeys: Go's HTTP client writes header names in its canonical case, so metadata names read
// back from headers are compared without case.
func lowerKeys(m map[string]*string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[strings.ToLower(k)] = *v
	}
	return out
}

func TestListBlobsInPages(t *testing.T) {
	c := newBlobCloud(t, Options{})
	key, _ := c.account(t, "rg", "acct", "data")
	client := c.client(t, "acct", key)
	ctx := context.Background()
	names := []string{"a/1.txt", "a/2.txt", "a/b/3.txt", "c.txt", "d/4.txt", "e.txt", "é.txt"}
	for i, name := range names {
		_, err := client.UploadBuffer(ctx, "data", name, []byte(strings.Repeat("x", i)), &azblob.UploadBufferOptions{
			Metadata: map[string]*string{"index": to.Ptr(fmt.Sprint(i))},
		})
		if err != nil {
			t.Fatalf("upload %s: %v", name, err)
		}
	}
	var listed []string
	pages := 0
	pager := client.NewListBlobsFlatPager("data", &azblob.ListBlobsFlatOptions{MaxResults: to.Ptr(int32(2)), Include: container.ListBlobsInclude{Metadata: true}})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(page.Segment.BlobItems) > 2 {
			t.Errorf("page of %d", len(page.Segment.BlobItems))
		}
		for _, item := range page.Segment.BlobItems {
			i := slices.Index(names, *item.Name)
			if i < 0 || *item.Properties.ContentLength != int64(i) || item.Metadata["index"] == nil || *item.Metadata["index"] != fmt.Sprint(i) ||
				*item.Properties.BlobType != blob.BlobTypeBlockBlob || item.Properties.ETag == nil || item.Properties.LastModified == nil || len(item.Properties.ContentMD5) != md5.Size {
				t.Errorf("item %s: %+v %v", *item.Name, *item.Properties, item.Metadata)
			}
			listed = append(listed, *item.Name)
		}
	}
	if !slices.Equal(listed, names) || pages != 4 {
		t.Errorf("listed %v in %d pages, want %v in 4", listed, pages, names)
	}

	prefixed := client.NewListBlobsFlatPager("data", &azblob.ListBlobsFlatOptions{Prefix: to.Ptr("a/")})
	page, err := prefixed.NextPage(ctx)
	if err != nil || len(page.Segment.BlobItems) != 3 || page.Segment.BlobItems[0].Metadata != nil || prefixed.More() {
		t.Errorf("prefix a/: %v %+v", err, page.Segment)
	}

	// One level of the hierarchy: blobs and the prefixes that stand for the blobs below them.
	var level []string
	hier := client.ServiceClient().NewContainerClient("data").NewListBlobsHierarchyPager("/", &container.ListBlobsHierarchyOptions{MaxResults: to.Ptr(int32(2))})
	for hier.More() {
		page, err := hier.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page.Segment.BlobPrefixes {
			level = append(level, *p.Name)
		}
		for _, b := range page.Segment.BlobItems {
			level = append(level, *b.Name)
		}
	}
	slices.Sort(level)
	if want := []string{"a/", "c.txt", "d/", "e.txt", "é.txt"}; !slices.Equal(level, want) {
		t.Errorf("hierarchy: %v, want %v", level, want)
	}

	_, err = client.NewListBlobsFlatPager("data", &azblob.ListBlobsFlatOptions{Marker: to.Ptr("not a marker!")}).NextPage(ctx)
	if !bloberror.HasCode(err, bloberror.InvalidQueryParameterValue) {
		t.Errorf("bad marker: %v", err)
	}
}

func TestBlobErrors(t *testing.T) {
	c := newBlobCloud(t, Options{})
	key, _ := c.account(t, "rg", "acct", "data")
	ctx := context.Background()
	client := c.client(t, "acct", key)

	_, err := client.UploadBuffer(ctx, "nothere", "x", []byte("x"), nil)
	if !bloberror.HasCode(err, bloberror.ContainerNotFound) || statusOf(err) != 404 {
		t.Errorf("upload to a missing container: %v", err)
	}
	_, err = client.NewListBlobsFlatPager("nothere", nil).NextPage(ctx)
	if !bloberror.HasCode(err, bloberror.ContainerNotFound) {
		t.Errorf("list of a missing container: %v", err)
	}

	wrong := c.client(t, "acct", "d3JvbmcgZ3J1IGtleQ==")
	_, err = wrong.UploadBuffer(ctx, "data", "x", []byte("x"), nil)
	if !bloberror.HasCode(err, bloberror.AuthenticationFailed) || statusOf(err) != 403 {
		t.Errorf("wrong key: %v", err)
	}
	other := c.client(t, "nosuchacct", key)
	_, err = other.UploadBuffer(ctx, "data", "x", []byte("x"), nil)
	if !bloberror.HasCode(err, bloberror.ResourceNotFound) || statusOf(err) != 404 {
		t.Errorf("unknown account: %v", err)
	}

	content := []byte("checked content")
	wrongSum := md5.Sum([]byte("other content"))
	bb := client.ServiceClient().NewContainerClient("data").NewBlockBlobClient("checked")
	_, err = bb.Upload(ctx, streamOf(content), &blockblob.UploadOptions{TransactionalValidation: blob.TransferValidationTypeMD5(wrongSum[:])})
	if !bloberror.HasCode(err, bloberror.MD5Mismatch) || statusOf(err) != 400 {
		t.Errorf("wrong Content-MD5: %v", err)
	}
	_, err = bb.Upload(ctx, streamOf(content), &blockblob.UploadOptions{HTTPHeaders: &blob.HTTPHeaders{BlobContentMD5: wrongSum[:]}})
	if !bloberror.HasCode(err, bloberror.MD5Mismatch) {
		t.Errorf("wrong x-ms-blob-content-md5: %v", err)
	}
	if _, err := bb.GetProperties(ctx, nil); !bloberror.HasCode(err, bloberror.BlobNotFound) {
		t.Errorf("a refused upload wrote the blob: %v", err)
	}

	// Conditions: If-None-Match * refuses to overwrite; If-Match needs the current ETag.
	up, err := bb.Upload(ctx, streamOf(content), nil)
	if err != nil {
		t.Fatal(err)
	}
	noOverwrite := &blockblob.UploadOptions{AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfNoneMatch: to.Ptr(azcore.ETagAny)}}}
	if _, err := bb.Upload(ctx, streamOf(content), noOverwrite); !bloberror.HasCode(err, bloberror.BlobAlreadyExists) || statusOf(err) != 409 {
		t.Errorf("If-None-Match *: %v", err)
	}
	stale := azcore.ETag(`"0x1"`)
	if _, err := bb.Delete(ctx, &blob.DeleteOptions{AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfMatch: &stale}}}); !bloberror.HasCode(err, bloberror.ConditionNotMet) || statusOf(err) != 412 {
		t.Errorf("If-Match with a stale ETag: %v", err)
	}
	if _, err := bb.Delete(ctx, &blob.DeleteOptions{AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfMatch: up.ETag}}}); err != nil {
		t.Errorf("If-Match with the ETag: %v", err)
	}
	_, err = client.ServiceClient().NewContainerClient("data").NewAppendBlobClient("log").Create(ctx, nil)
	if !bloberror.HasCode(err, bloberror.UnsupportedHeader) {
		t.Errorf("append blob: %v", err)
	}
	_, err = client.DownloadStream(ctx, "data", "missing", &azblob.DownloadStreamOptions{Range: azblob.HTTPRange{Offset: 1}})
	if !bloberror.HasCode(err, bloberror.BlobNotFound) {
		t.Errorf("range of a missing blob: %v", err)
	}
}

// TestBlobRequestsWithoutAuthorization: anonymous requests are refused with the service's XML
// error, and its code in x-ms-error-code.
func TestBlobRequestsWithoutAuthorization(t *testing.T) {
	c := newBlobCloud(t, Options{})
	c.account(t, "rg", "acct", "data")
	for _, path := range []string{"/acct/data/blob", "/acct/data?restype=container&comp=list", "/acct/?restype=service&comp=properties"} {
		resp, err := http.Get(c.endpoint + path)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var body struct {
			Code    string
			Message string
		}
		if err := xml.Unmarshal(data, &body); err != nil || resp.StatusCode != 403 || body.Code != "AuthenticationFailed" ||
			resp.Header.Get("x-ms-error-code") != "AuthenticationFailed" || !strings.HasPrefix(string(data), `<?xml version="1.0" encoding="utf-8"?><Error>`) {
			t.Errorf("%s: %d %s %v", path, resp.StatusCode, data, err)
		}
	}
}

func TestMetadataNamesInTheServiceOrder(t *testing.T) {
	// The service sorts the signed x-ms- headers in its own order, not by bytes: "_" before digits.
	for _, tc := range [][2]string{{"x-ms-meta-i_", "x-ms-meta-i0"}, {"x-ms-date", "x-ms-meta-a"}, {"x-ms-blob-type", "x-ms-blob-typex"}, {"x-ms-meta-a_c", "x-ms-meta-ab"}} {
		if compareHeaderNames(tc[0], tc[1]) >= 0 || compareHeaderNames(tc[1], tc[0]) <= 0 {
			t.Errorf("%s should sort before %s", tc[0], tc[1])
		}
	}
	c := newBlobCloud(t, Options{})
	key, _ := c.account(t, "rg", "acct", "data")
	client := c.client(t, "acct", key)
	meta := map[string]*string{"i0": to.Ptr("a"), "i_": to.Ptr("b"), "a_1": to.Ptr("c"), "a1": to.Ptr("d")}
	if _, err := client.UploadBuffer(context.Background(), "data", "m", nil, &azblob.UploadBufferOptions{Metadata: meta}); err != nil {
		t.Fatalf("signed by the SDK in the service's order: %v", err)
	}
}

func TestBlobServiceProperties(t *testing.T) {
	c := newBlobCloud(t, Options{})
	key, _ := c.account(t, "rg", "acct")
	svc := c.client(t, "acct", key).ServiceClient()
	ctx := context.Background()
	got, err := svc.GetProperties(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.StaticWebsite == nil || *got.StaticWebsite.Enabled || got.DeleteRetentionPolicy == nil || *got.DeleteRetentionPolicy.Enabled {
		t.Errorf("defaults: %+v", got)
	}
	_, err = svc.SetProperties(ctx, &service.SetPropertiesOptions{
		StaticWebsite: &service.StaticWebsite{Enabled: to.Ptr(true), IndexDocument: to.Ptr("index.html"), ErrorDocument404Path: to.Ptr("404.html")},
		CORS: []*service.CORSRule{{AllowedOrigins: to.Ptr("https://example.com"), AllowedMethods: to.Ptr("GET,PUT"), AllowedHeaders: to.Ptr("*"),
			ExposedHeaders: to.Ptr("x-ms-meta-*"), MaxAgeInSeconds: to.Ptr(int32(300))}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Set again with only a retention policy: what the request leaves out is kept.
	if _, err := svc.SetProperties(ctx, &service.SetPropertiesOptions{DeleteRetentionPolicy: &service.RetentionPolicy{Enabled: to.Ptr(true), Days: to.Ptr(int32(7))}}); err != nil {
		t.Fatal(err)
	}
	got, err = svc.GetProperties(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	web := got.StaticWebsite
	if !*web.Enabled || *web.IndexDocument != "index.html" || *web.ErrorDocument404Path != "404.html" || web.DefaultIndexDocumentPath != nil {
		t.Errorf("static website: %+v", web)
	}
	if !*got.DeleteRetentionPolicy.Enabled || *got.DeleteRetentionPolicy.Days != 7 {
		t.Errorf("retention: %+v", got.DeleteRetentionPolicy)
	}
	if len(got.CORS) != 1 || *got.CORS[0].AllowedOrigins != "https://example.com" || *got.CORS[0].MaxAgeInSeconds != 300 {
		t.Errorf("cors: %+v", got.CORS)
	}
	// Azure makes $web when the static website is enabled: it is an ARM container, and takes blobs.
	if s, code, _ := call(t, c.arm, "GET", acct+"/blobServices/default/containers/$web"+storageAPI, "t", ""); s != 200 {
		t.Errorf("$web through ARM: %d %s", s, code)
	}
	if _, err := c.client(t, "acct", key).UploadBuffer(ctx, "$web", "index.html", []byte("<h1>hi</h1>"), nil); err != nil {
		t.Errorf("upload to $web: %v", err)
	}
	_, err = svc.SetProperties(ctx, &service.SetPropertiesOptions{DeleteRetentionPolicy: &service.RetentionPolicy{Enabled: to.Ptr(true), Days: to.Ptr(int32(0))}})
	if !bloberror.HasCode(err, bloberror.InvalidXMLNodeValue) {
		t.Errorf("retention of 0 days: %v", err)
	}
	info, err := svc.GetAccountInfo(ctx, nil)
	if err != nil || *info.SKUName != "Standard_LRS" || *info.AccountKind != "StorageV2" {
		t.Errorf("account info: %v %+v", err, info)
	}
}

// blobRows counts the blob service's rows under a key (a container's, an account's).
func blobRows(t *testing.T, e *Emulator, key string) int {
	t.Helper()
	n := 0
	for _, q := range []string{
		"SELECT count(*) FROM blobs WHERE container_key = ? OR (container_key > ? AND container_key < ?)",
		"SELECT count(*) FROM blob_blocks WHERE container_key = ? OR (container_key > ? AND container_key < ?)",
		"SELECT count(*) FROM blob_services WHERE account_key = ? OR (account_key > ? AND account_key < ?)",
	} {
		var c int
		if err := e.store.db.QueryRow(q, key, key+"/", key+"0").Scan(&c); err != nil {
			t.Fatal(err)
		}
		n += c
	}
	return n
}

func TestBlobsGoWithTheirContainerAndAccount(t *testing.T) {
	c := newBlobCloud(t, Options{})
	key, _ := c.account(t, "rg", "acct", "data", "other")
	client := c.client(t, "acct", key)
	ctx := context.Background()
	for _, ct := range []string{"data", "other"} {
		if _, err := client.UploadBuffer(ctx, ct, "kept.txt", []byte("content"), nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := client.ServiceClient().NewContainerClient("data").NewBlockBlobClient("staged").StageBlock(ctx, "YmxvY2sx", streamOf([]byte("block")), nil); err != nil {
		t.Fatal(err)
	}
	containerKey := strings.ToLower(acct + "/blobServices/default/containers/data")
	if n := blobRows(t, c.e, containerKey); n != 2 {
		t.Fatalf("rows of data: %d, want a blob and a block", n)
	}
	if s, code, _ := call(t, c.arm, "DELETE", acct+"/blobServices/default/containers/data"+storageAPI, "t", ""); s >= 300 {
		t.Fatalf("delete container: %d %s", s, code)
	}
	if n := blobRows(t, c.e, containerKey); n != 0 {
		t.Errorf("%d rows outlive their container", n)
	}
	if _, err := client.DownloadStream(ctx, "data", "kept.txt", nil); !bloberror.HasCode(err, bloberror.ContainerNotFound) {
		t.Errorf("blob of a deleted container: %v", err)
	}
	c.container(t, acct, "data")
	page, err := client.NewListBlobsFlatPager("data", nil).NextPage(ctx)
	if err != nil || len(page.Segment.BlobItems) != 0 {
		t.Errorf("a container made again has %v (%v)", page.Segment.BlobItems, err)
	}
	if _, err := client.DownloadStream(ctx, "other", "kept.txt", nil); err != nil {
		t.Errorf("the other container lost its blob: %v", err)
	}

	if _, err := client.ServiceClient().SetProperties(ctx, &service.SetPropertiesOptions{StaticWebsite: &service.StaticWebsite{Enabled: to.Ptr(false)}}); err != nil {
		t.Fatal(err)
	}
	if s, code, _ := call(t, c.arm, "DELETE", acct+storageAPI, "t", ""); s >= 300 {
		t.Fatalf("delete account: %d %s", s, code)
	}
	if n := blobRows(t, c.e, strings.ToLower(acct)); n != 0 {
		t.Errorf("%d rows outlive their account", n)
	}
	if _, err := client.DownloadStream(ctx, "other", "kept.txt", nil); !bloberror.HasCode(err, bloberror.ResourceNotFound) {
		t.Errorf("blob of a deleted account: %v", err)
	}
}

// TestBlobsOfSlowDeletions: while the deletion of a resource group is under way, the blobs of
// its containers are refused; when it ends they are gone, and the purge takes their rows.
func TestBlobsOfSlowDeletions(t *testing.T) {
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	c := newBlobCloud(t, Options{Now: now, TypeLatency: map[string]time.Duration{"Microsoft.Resources/resourceGroups": time.Minute}})
	key, _ := c.account(t, "rg", "acct", "data")
	client := c.client(t, "acct", key)
	ctx := context.Background()
	clock.Add(int64(2 * time.Minute))
	if _, err := client.UploadBuffer(ctx, "data", "b", []byte("x"), nil); err != nil {
		t.Fatal(err)
	}
	if s, code, _ := call(t, c.arm, "DELETE", sub+"/resourceGroups/rg?api-version=2021-04-01", "t", ""); s != 202 {
		t.Fatalf("delete group: %d %s", s, code)
	}
	if _, err := client.UploadBuffer(ctx, "data", "b", []byte("x"), nil); !bloberror.HasCode(err, bloberror.ContainerBeingDeleted) || statusOf(err) != 409 {
		t.Errorf("upload while the container is deleted: %v", err)
	}
	clock.Add(int64(2 * time.Minute))
	if _, err := client.DownloadStream(ctx, "data", "b", nil); !bloberror.HasCode(err, bloberror.ResourceNotFound) {
		t.Errorf("after the deletion: %v", err)
	}
	if err := c.e.store.purge(ctx, now()); err != nil {
		t.Fatal(err)
	}
	if n := blobRows(t, c.e, strings.ToLower(acct+"/blobServices/default/containers/data")); n != 0 {
		t.Errorf("%d rows after the purge", n)
	}
}

func TestBlocksWithTheSDK(t *testing.T) {
	c := newBlobCloud(t, Options{})
	key, _ := c.account(t, "rg", "acct", "data")
	client := c.client(t, "acct", key)
	ctx := context.Background()
	// A stream goes up in blocks of 1 MiB at least, staged at once and committed in order.
	content := bytes.Repeat([]byte("0123456789abcdef"), 5<<16) // 5 MiB
	if _, err := client.UploadStream(ctx, "data", "streamed", bytes.NewReader(content), &azblob.UploadStreamOptions{BlockSize: 2 << 20, Concurrency: 3}); err != nil {
		t.Fatal(err)
	}
	bb := client.ServiceClient().NewContainerClient("data").NewBlockBlobClient("streamed")
	list, err := bb.GetBlockList(ctx, blockblob.BlockListTypeAll, nil)
	if err != nil || len(list.CommittedBlocks) != 3 || len(list.UncommittedBlocks) != 0 || *list.BlobContentLength != int64(len(content)) {
		t.Fatalf("block list: %v %+v", err, list)
	}
	buf := make([]byte, len(content))
	if n, err := client.DownloadBuffer(ctx, "data", "streamed", buf, &azblob.DownloadBufferOptions{BlockSize: 1 << 20}); err != nil || n != int64(len(content)) || !bytes.Equal(buf, content) {
		t.Fatalf("download: %d %v", n, err)
	}
	// Commit the first committed block again, then a new staged one.
	first := *list.CommittedBlocks[0].Name
	raw, _ := base64.StdEncoding.DecodeString(first)
	staged := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("z"), len(raw)))
	if _, err := bb.StageBlock(ctx, "c2hvcnQ=", streamOf([]byte("x")), nil); !bloberror.HasCode(err, bloberror.InvalidBlobOrBlock) {
		t.Errorf("a block ID of another length: %v", err)
	}
	if _, err := bb.StageBlock(ctx, staged, streamOf([]byte("tail")), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := bb.CommitBlockList(ctx, []string{first, staged}, nil); err != nil {
		t.Fatal(err)
	}
	got, err := client.DownloadStream(ctx, "data", "streamed", nil)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if want := string(content[:2<<20]) + "tail"; string(data) != want {
		t.Errorf("recommitted: %d bytes", len(data))
	}
	never := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("n"), len(raw)))
	if _, err := bb.CommitBlockList(ctx, []string{staged, never}, nil); !bloberror.HasCode(err, bloberror.InvalidBlockList) {
		t.Errorf("committing a block never staged: %v", err)
	}
	// The SDK commits the latest of each block: a committed one when none is staged.
	if _, err := bb.CommitBlockList(ctx, []string{staged}, nil); err != nil {
		t.Fatal(err)
	}
	if props, err := bb.GetProperties(ctx, nil); err != nil || *props.ContentLength != 4 {
		t.Errorf("committed again: %v", err)
	}
}
