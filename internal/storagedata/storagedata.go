// Package storagedata serves the types gru holds for Azure Storage's data plane, a blob
// (Storage::Blob) and the Blob service's properties (Storage::BlobServiceProperties), as if
// they were ARM resources: get, put, delete and list by ARM-shaped IDs below a storage account
// (.../storageAccounts/{a}/blobServices/default/containers/{c}/blobs/{name},
// .../blobServices/default/serviceProperties/default), carried out with Microsoft's azblob
// client against the account's blob endpoint (properties.primaryEndpoints.blob), authorised
// with the account's key (listKeys). Every other request goes to ARM unchanged, so the engine,
// the inventory and gencode handle these types as any other.
package storagedata

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/service"

	"github.com/gru-iac/gru/internal/armclient"
	"github.com/gru-iac/gru/internal/armid"
)

// The ARM-shaped types of the data plane, lower-cased, and the version the catalogue holds
// them at.
const (
	typeBlob              = "microsoft.storage/storageaccounts/blobservices/containers/blobs"
	typeServiceProperties = "microsoft.storage/storageaccounts/blobservices/serviceproperties"
	// BlobType and ServicePropertiesType are the types as the catalogue spells them.
	BlobType              = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs"
	ServicePropertiesType = "Microsoft.Storage/storageAccounts/blobServices/serviceProperties"
	storageAccountVersion = "2023-05-01"
)

// Client is an ARM client that carries out the data-plane types' requests with azblob.
type Client struct {
	*armclient.Client
	// transport, when set, carries the Blob service's requests (tests, a local emulator).
	transport policy.Transporter
	mu        sync.Mutex
	services  map[string]*service.Client // by lower-cased account ID
}

// New wraps an ARM client. transport carries the Blob service's requests (nil: azblob's own).
func New(c *armclient.Client, transport policy.Transporter) *Client {
	return &Client{Client: c, transport: transport, services: map[string]*service.Client{}}
}

// IsDataPlane reports an ARM type that this package serves.
func IsDataPlane(armType string) bool {
	t := strings.ToLower(armType)
	return t == typeBlob || t == typeServiceProperties
}

// Get reads a resource; a data-plane one from the Blob service.
func (c *Client) Get(ctx context.Context, id, version string) (map[string]any, error) {
	ref, err := parse(id)
	if err != nil || ref == nil {
		if err != nil {
			return nil, err
		}
		return c.Client.Get(ctx, id, version)
	}
	svc, err := c.service(ctx, ref.account)
	if err != nil {
		return nil, err
	}
	if ref.kind == typeServiceProperties {
		props, err := svc.GetProperties(ctx, nil)
		if err != nil {
			return nil, wrap(http.MethodGet, id, err)
		}
		return servicePropertiesView(ref.id, props.StorageServiceProperties), nil
	}
	props, err := svc.NewContainerClient(ref.container).NewBlobClient(ref.blob).GetProperties(ctx, nil)
	if err != nil {
		return nil, wrap(http.MethodGet, id, err)
	}
	return blobView(ref.id, ref.blob, props.ContentType, props.ContentMD5, props.ContentLength, props.LastModified, props.ETag, props.Metadata), nil
}

// Content reads a blob's content.
func (c *Client) Content(ctx context.Context, id string) ([]byte, error) {
	ref, err := parse(id)
	if err != nil {
		return nil, err
	}
	if ref == nil || ref.kind != typeBlob {
		return nil, fmt.Errorf("%s is not a blob", id)
	}
	svc, err := c.service(ctx, ref.account)
	if err != nil {
		return nil, err
	}
	resp, err := svc.NewContainerClient(ref.container).NewBlobClient(ref.blob).DownloadStream(ctx, nil)
	if err != nil {
		return nil, wrap(http.MethodGet, id, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// Put writes a resource; a blob is uploaded from its source file, with its content type,
// MD5 and metadata; the Blob service's properties are set.
func (c *Client) Put(ctx context.Context, id, version string, body any) (map[string]any, error) {
	ref, err := parse(id)
	if err != nil || ref == nil {
		if err != nil {
			return nil, err
		}
		return c.Client.Put(ctx, id, version, body)
	}
	m, _ := body.(map[string]any)
	svc, err := c.service(ctx, ref.account)
	if err != nil {
		return nil, err
	}
	if ref.kind == typeServiceProperties {
		props, _ := m["properties"].(map[string]any)
		opts, err := serviceOptions(props)
		if err != nil {
			return nil, fmt.Errorf("PUT %s: %w", id, err)
		}
		if _, err := svc.SetProperties(ctx, opts); err != nil {
			return nil, wrap(http.MethodPut, id, err)
		}
		return c.Get(ctx, id, version)
	}
	props, _ := m["properties"].(map[string]any)
	source, _ := m["source"].(string)
	if source == "" {
		return nil, fmt.Errorf("PUT %s: the blob has no source: name the file its content comes from", id)
	}
	data, err := os.ReadFile(source)
	if err != nil {
		return nil, fmt.Errorf("PUT %s: reading its source: %w", id, err)
	}
	sum := md5.Sum(data)
	headers := &blob.HTTPHeaders{BlobContentMD5: sum[:]}
	if ct, _ := props["contentType"].(string); ct != "" {
		headers.BlobContentType = &ct
	}
	meta := map[string]*string{}
	if md, ok := props["metadata"].(map[string]any); ok {
		for k, v := range md {
			s := fmt.Sprint(v)
			meta[k] = &s
		}
	}
	bb := svc.NewContainerClient(ref.container).NewBlockBlobClient(ref.blob)
	if _, err := bb.Upload(ctx, nopSeekCloser{bytes.NewReader(data)}, &blockblob.UploadOptions{HTTPHeaders: headers, Metadata: meta, TransactionalValidation: blob.TransferValidationTypeMD5(sum[:])}); err != nil {
		return nil, wrap(http.MethodPut, id, err)
	}
	return c.Get(ctx, id, version)
}

// Delete deletes a resource; a blob from its container. The Blob service's properties are
// not deleted (they go with the account): deleting them sets them back to their defaults.
func (c *Client) Delete(ctx context.Context, id, version string) error {
	ref, err := parse(id)
	if err != nil || ref == nil {
		if err != nil {
			return err
		}
		return c.Client.Delete(ctx, id, version)
	}
	svc, err := c.service(ctx, ref.account)
	if err != nil {
		if armclient.IsNotFound(err) {
			return nil // gone with its account
		}
		return err
	}
	if ref.kind == typeServiceProperties {
		off := false
		_, err := svc.SetProperties(ctx, &service.SetPropertiesOptions{StaticWebsite: &service.StaticWebsite{Enabled: &off}, CORS: []*service.CORSRule{}})
		return wrap(http.MethodDelete, id, err)
	}
	_, err = svc.NewContainerClient(ref.container).NewBlobClient(ref.blob).Delete(ctx, nil)
	if bloberror.HasCode(err, bloberror.BlobNotFound, bloberror.ContainerNotFound) {
		return nil
	}
	return wrap(http.MethodDelete, id, err)
}

// List lists a collection; blobs of a container from the Blob service, and the service
// properties of an account's Blob service (one item).
func (c *Client) List(ctx context.Context, collection, version string, query url.Values) ([]map[string]any, error) {
	var out []map[string]any
	err := c.ListEach(ctx, collection, version, query, func(r map[string]any) { out = append(out, r) })
	return out, err
}

// ListEachDecoded lists as ListEach does, making each item from its JSON text with decode
// (the Blob service's items are written as JSON first).
func (c *Client) ListEachDecoded(ctx context.Context, collection, version string, query url.Values, decode func(text string) (map[string]any, error), each func(map[string]any)) error {
	if probe, err := parse(strings.TrimSuffix(collection, "/") + "/_"); err != nil || probe == nil {
		return c.Client.ListEachDecoded(ctx, collection, version, query, decode, each)
	}
	var failed error
	err := c.ListEach(ctx, collection, version, query, func(item map[string]any) {
		if failed != nil {
			return
		}
		text, err := json.Marshal(item)
		if err == nil {
			item, err = decode(string(text))
		}
		if err != nil {
			failed = err
			return
		}
		each(item)
	})
	if err != nil {
		return err
	}
	return failed
}

// ListEach lists as List does, giving each item to each.
func (c *Client) ListEach(ctx context.Context, collection, version string, query url.Values, each func(map[string]any)) error {
	probe, err := parse(strings.TrimSuffix(collection, "/") + "/_")
	if err != nil || probe == nil {
		return c.Client.ListEach(ctx, collection, version, query, each)
	}
	svc, err := c.service(ctx, probe.account)
	if err != nil {
		return err
	}
	if probe.kind == typeServiceProperties {
		id := probe.id.Parent.Child("serviceProperties", "default")
		item, err := c.Get(ctx, id.String(), version)
		if err != nil {
			return err
		}
		each(item)
		return nil
	}
	pager := svc.NewContainerClient(probe.container).NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Include: container.ListBlobsInclude{Metadata: true}})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			if bloberror.HasCode(err, bloberror.InvalidResourceName) {
				return nil // a container of a name the Blob service refuses holds nothing
			}
			if bloberror.HasCode(err, bloberror.ContainerNotFound) {
				return &armclient.Error{Method: http.MethodGet, Path: collection, StatusCode: http.StatusNotFound, Code: "ContainerNotFound", Message: "the container does not exist"}
			}
			return wrap(http.MethodGet, collection, err)
		}
		for _, it := range page.Segment.BlobItems {
			if it.Name == nil {
				continue
			}
			p := it.Properties
			id := probe.id.Parent.Child("blobs", armid.EscapeName(*it.Name))
			each(blobView(id, *it.Name, p.ContentType, p.ContentMD5, p.ContentLength, p.LastModified, p.ETag, it.Metadata))
		}
	}
	return nil
}

// ref is a data-plane resource an ID names.
type ref struct {
	id              *armid.ID
	kind            string // typeBlob or typeServiceProperties
	account         *armid.ID
	container, blob string
}

// parse reads a data-plane ID; nil (and no error) for any other.
func parse(id string) (*ref, error) {
	lower := strings.ToLower(id)
	if !strings.Contains(lower, "/blobservices/") || !(strings.Contains(lower, "/blobs/") || strings.Contains(lower, "/serviceproperties/")) {
		return nil, nil
	}
	p, err := armid.Parse(id)
	if err != nil {
		return nil, nil // not ours to judge: ARM answers
	}
	kind := strings.ToLower(p.ResourceType())
	if kind != typeBlob && kind != typeServiceProperties {
		return nil, nil
	}
	r := &ref{id: p, kind: kind}
	for cur := p; cur != nil; cur = cur.Parent {
		switch strings.ToLower(cur.ResourceType()) {
		case "microsoft.storage/storageaccounts":
			r.account = cur
		case "microsoft.storage/storageaccounts/blobservices/containers":
			r.container = cur.Name
		case typeBlob:
			r.blob = armid.UnescapeName(cur.Name) // css~2Fsite.css is css/site.css
		}
	}
	if r.account == nil {
		return nil, fmt.Errorf("%s: no storage account in the ID", id)
	}
	return r, nil
}

// service is the Blob service client of an account: its endpoint and key read from ARM once.
func (c *Client) service(ctx context.Context, account *armid.ID) (*service.Client, error) {
	key := account.Key()
	c.mu.Lock()
	svc := c.services[key]
	c.mu.Unlock()
	if svc != nil {
		return svc, nil
	}
	acct, err := c.Client.Get(ctx, account.String(), storageAccountVersion)
	if err != nil {
		return nil, err
	}
	props, _ := acct["properties"].(map[string]any)
	endpoints, _ := props["primaryEndpoints"].(map[string]any)
	endpoint, _ := endpoints["blob"].(string)
	if endpoint == "" {
		return nil, fmt.Errorf("storage account %s has no blob endpoint", account.Name)
	}
	keys, err := c.Client.Post(ctx, account.String(), "listKeys", storageAccountVersion, nil)
	if err != nil {
		return nil, fmt.Errorf("the keys of storage account %s: %w", account.Name, err)
	}
	list, _ := keys["keys"].([]any)
	if len(list) == 0 {
		return nil, fmt.Errorf("storage account %s gave no key", account.Name)
	}
	first, _ := list[0].(map[string]any)
	value, _ := first["value"].(string)
	cred, err := azblob.NewSharedKeyCredential(account.Name, value)
	if err != nil {
		return nil, fmt.Errorf("the key of storage account %s: %w", account.Name, err)
	}
	opts := &service.ClientOptions{}
	if c.transport != nil {
		opts.Transport = c.transport
	}
	if strings.HasPrefix(endpoint, "http://") {
		opts.InsecureAllowCredentialWithHTTP = true
	}
	opts.Retry = policy.RetryOptions{MaxRetries: 3, RetryDelay: 200 * time.Millisecond}
	svc, err = service.NewClientWithSharedKeyCredential(endpoint, cred, opts)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.services[key] = svc
	c.mu.Unlock()
	return svc, nil
}

// blobView is a blob as an ARM-shaped resource.
func blobView(id *armid.ID, name string, contentType *string, md5sum []byte, length *int64, modified *time.Time, etag *azcore.ETag, metadata map[string]*string) map[string]any {
	props := map[string]any{}
	if contentType != nil {
		props["contentType"] = *contentType
	}
	if len(md5sum) > 0 {
		props["contentMD5"] = base64.StdEncoding.EncodeToString(md5sum)
	}
	if length != nil {
		props["contentLength"] = float64(*length)
	}
	if modified != nil {
		props["lastModified"] = modified.UTC().Format(time.RFC3339)
	}
	if etag != nil {
		props["etag"] = string(*etag)
	}
	md := map[string]any{}
	for k, v := range metadata {
		if v != nil {
			md[strings.ToLower(k)] = *v
		}
	}
	props["metadata"] = md // replaced whole by an upload, as tags by a PUT
	return map[string]any{"id": id.String(), "name": name, "type": BlobType, "properties": props}
}

// servicePropertiesView is the Blob service's properties as an ARM-shaped resource.
func servicePropertiesView(id *armid.ID, p service.StorageServiceProperties) map[string]any {
	out := map[string]any{}
	if sw := p.StaticWebsite; sw != nil {
		site := map[string]any{"enabled": sw.Enabled != nil && *sw.Enabled}
		for k, v := range map[string]*string{"indexDocument": sw.IndexDocument, "errorDocument404Path": sw.ErrorDocument404Path, "defaultIndexDocumentPath": sw.DefaultIndexDocumentPath} {
			if v != nil && *v != "" {
				site[k] = *v
			}
		}
		out["staticWebsite"] = site
	}
	rules := []any{} // as JSON has it: an empty list, not null
	for _, r := range p.CORS {
		rule := map[string]any{}
		for k, v := range map[string]*string{"allowedOrigins": r.AllowedOrigins, "allowedMethods": r.AllowedMethods, "allowedHeaders": r.AllowedHeaders, "exposedHeaders": r.ExposedHeaders} {
			if v != nil {
				rule[k] = *v
			}
		}
		if r.MaxAgeInSeconds != nil {
			rule["maxAgeInSeconds"] = float64(*r.MaxAgeInSeconds)
		}
		rules = append(rules, rule)
	}
	out["cors"] = rules
	if d := p.DeleteRetentionPolicy; d != nil {
		policy := map[string]any{"enabled": d.Enabled != nil && *d.Enabled}
		if d.Days != nil {
			policy["days"] = float64(*d.Days)
		}
		out["deleteRetentionPolicy"] = policy
	}
	return map[string]any{"id": id.String(), "name": "default", "type": ServicePropertiesType, "properties": out}
}

// serviceOptions turns a body into the service properties to set.
func serviceOptions(m map[string]any) (*service.SetPropertiesOptions, error) {
	opts := &service.SetPropertiesOptions{}
	str := func(v any) *string {
		if s, ok := v.(string); ok {
			return &s
		}
		return nil
	}
	num := func(v any) *int32 {
		var n float64
		switch x := v.(type) {
		case float64:
			n = x
		case interface{ Float64() (float64, error) }:
			n, _ = x.Float64()
		default:
			return nil
		}
		i := int32(n)
		return &i
	}
	if sw, ok := m["staticWebsite"].(map[string]any); ok {
		enabled, _ := sw["enabled"].(bool)
		opts.StaticWebsite = &service.StaticWebsite{Enabled: &enabled, IndexDocument: str(sw["indexDocument"]), ErrorDocument404Path: str(sw["errorDocument404Path"]), DefaultIndexDocumentPath: str(sw["defaultIndexDocumentPath"])}
	}
	if rules, ok := m["cors"].([]any); ok {
		opts.CORS = []*service.CORSRule{}
		for i, r := range rules {
			rule, ok := r.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("cors[%d] is not an object", i)
			}
			opts.CORS = append(opts.CORS, &service.CORSRule{AllowedOrigins: str(rule["allowedOrigins"]), AllowedMethods: str(rule["allowedMethods"]), AllowedHeaders: str(rule["allowedHeaders"]), ExposedHeaders: str(rule["exposedHeaders"]), MaxAgeInSeconds: num(rule["maxAgeInSeconds"])})
		}
	}
	if d, ok := m["deleteRetentionPolicy"].(map[string]any); ok {
		enabled, _ := d["enabled"].(bool)
		opts.DeleteRetentionPolicy = &service.RetentionPolicy{Enabled: &enabled, Days: num(d["days"])}
	}
	return opts, nil
}

// wrap turns a Blob service error into an armclient.Error, so that the engine reads its
// status (404: not found) and code as it reads ARM's.
func wrap(method, path string, err error) error {
	if err == nil {
		return nil
	}
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return &armclient.Error{Method: method, Path: path, StatusCode: re.StatusCode, Code: re.ErrorCode, Message: firstLine(re.Error())}
	}
	return fmt.Errorf("%s %s: %w", method, path, err)
}

// firstLine is the first line of azcore's multi-line error text.
func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(line)
}

// nopSeekCloser gives a bytes.Reader the Close azblob's upload wants.
type nopSeekCloser struct{ *bytes.Reader }

func (nopSeekCloser) Close() error { return nil }
