package emulator

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gru-iac/gru/internal/armid"
)

// Get and Set Blob Service Properties: the account's logging, metrics, CORS rules, soft delete
// and static website, kept per account as the service's XML. Set changes the elements the
// request gives and keeps the others, as the service does; enabling the static website makes
// the $web container, as Azure does.

// serviceProperties is StorageServiceProperties. Logging and metrics are kept as they were
// written (the emulator neither logs nor measures); the rest is read and checked.
type serviceProperties struct {
	XMLName               xml.Name         `xml:"StorageServiceProperties"`
	Logging               *rawElement      `xml:"Logging"`
	HourMetrics           *rawElement      `xml:"HourMetrics"`
	MinuteMetrics         *rawElement      `xml:"MinuteMetrics"`
	Cors                  *corsRules       `xml:"Cors"`
	DefaultServiceVersion *string          `xml:"DefaultServiceVersion"`
	DeleteRetentionPolicy *retentionPolicy `xml:"DeleteRetentionPolicy"`
	StaticWebsite         *staticWebsite   `xml:"StaticWebsite"`
}

type rawElement struct {
	Inner string `xml:",innerxml"`
}

type corsRules struct {
	Rules []corsRule `xml:"CorsRule"`
}

type corsRule struct {
	AllowedMethods  string `xml:"AllowedMethods"`
	AllowedOrigins  string `xml:"AllowedOrigins"`
	AllowedHeaders  string `xml:"AllowedHeaders"`
	ExposedHeaders  string `xml:"ExposedHeaders"`
	MaxAgeInSeconds int    `xml:"MaxAgeInSeconds"`
}

type retentionPolicy struct {
	Enabled              bool  `xml:"Enabled"`
	Days                 *int  `xml:"Days,omitempty"`
	AllowPermanentDelete *bool `xml:"AllowPermanentDelete,omitempty"`
}

type staticWebsite struct {
	Enabled                  bool   `xml:"Enabled"`
	IndexDocument            string `xml:"IndexDocument,omitempty"`
	ErrorDocument404Path     string `xml:"ErrorDocument404Path,omitempty"`
	DefaultIndexDocumentPath string `xml:"DefaultIndexDocumentPath,omitempty"`
}

// defaultServiceProperties are a new account's: hourly metrics kept 7 days, nothing else on.
func defaultServiceProperties() *serviceProperties {
	off := "<Version>1.0</Version><Enabled>false</Enabled><RetentionPolicy><Enabled>false</Enabled></RetentionPolicy>"
	return &serviceProperties{
		Logging:               &rawElement{"<Version>1.0</Version><Read>false</Read><Write>false</Write><Delete>false</Delete><RetentionPolicy><Enabled>false</Enabled></RetentionPolicy>"},
		HourMetrics:           &rawElement{"<Version>1.0</Version><Enabled>true</Enabled><IncludeAPIs>true</IncludeAPIs><RetentionPolicy><Enabled>true</Enabled><Days>7</Days></RetentionPolicy>"},
		MinuteMetrics:         &rawElement{off},
		Cors:                  &corsRules{},
		DeleteRetentionPolicy: &retentionPolicy{},
		StaticWebsite:         &staticWebsite{},
	}
}

// decodeServiceProperties reads stored properties over the defaults ("" keeps the defaults).
func decodeServiceProperties(stored string) (*serviceProperties, error) {
	p := defaultServiceProperties()
	if stored == "" {
		return p, nil
	}
	var set serviceProperties
	if err := xml.Unmarshal([]byte(stored), &set); err != nil {
		return nil, err
	}
	p.merge(&set)
	return p, nil
}

// merge takes the elements set gives.
func (p *serviceProperties) merge(set *serviceProperties) {
	if set.Logging != nil {
		p.Logging = set.Logging
	}
	if set.HourMetrics != nil {
		p.HourMetrics = set.HourMetrics
	}
	if set.MinuteMetrics != nil {
		p.MinuteMetrics = set.MinuteMetrics
	}
	if set.Cors != nil {
		p.Cors = set.Cors
	}
	if set.DefaultServiceVersion != nil {
		p.DefaultServiceVersion = set.DefaultServiceVersion
	}
	if set.DeleteRetentionPolicy != nil {
		p.DeleteRetentionPolicy = set.DeleteRetentionPolicy
	}
	if set.StaticWebsite != nil {
		p.StaticWebsite = set.StaticWebsite
	}
}

func errXMLNode(name, value string) *blobError {
	return blobErr(http.StatusBadRequest, "InvalidXmlNodeValue", "The value for one of the XML nodes is not in the correct format.",
		[2]string{"XmlNodeName", name}, [2]string{"XmlNodeValue", value})
}

// check refuses what the service refuses of the elements a request sets.
func (p *serviceProperties) check() error {
	if p.Cors != nil {
		if len(p.Cors.Rules) > 5 {
			return errXMLNode("Cors", strconv.Itoa(len(p.Cors.Rules))+" rules (5 at most)")
		}
		for _, rule := range p.Cors.Rules {
			if strings.TrimSpace(rule.AllowedOrigins) == "" {
				return errXMLNode("AllowedOrigins", rule.AllowedOrigins)
			}
			for _, m := range strings.Split(rule.AllowedMethods, ",") {
				switch strings.TrimSpace(m) {
				case "DELETE", "GET", "HEAD", "MERGE", "POST", "OPTIONS", "PUT", "PATCH":
				default:
					return errXMLNode("AllowedMethods", rule.AllowedMethods)
				}
			}
			if rule.MaxAgeInSeconds < 0 {
				return errXMLNode("MaxAgeInSeconds", strconv.Itoa(rule.MaxAgeInSeconds))
			}
		}
	}
	if d := p.DeleteRetentionPolicy; d != nil && d.Enabled && (d.Days == nil || *d.Days < 1 || *d.Days > 365) {
		days := ""
		if d.Days != nil {
			days = strconv.Itoa(*d.Days)
		}
		return errXMLNode("Days", days)
	}
	if s := p.StaticWebsite; s != nil {
		if s.IndexDocument != "" && s.DefaultIndexDocumentPath != "" {
			return errXMLNode("DefaultIndexDocumentPath", s.DefaultIndexDocumentPath+" (IndexDocument and DefaultIndexDocumentPath exclude each other)")
		}
		for name, v := range map[string]string{"IndexDocument": s.IndexDocument, "ErrorDocument404Path": s.ErrorDocument404Path, "DefaultIndexDocumentPath": s.DefaultIndexDocumentPath} {
			if len(v) > 255 {
				return errXMLNode(name, v)
			}
		}
	}
	return nil
}

func (p *serviceProperties) encode() string {
	data, _ := xml.Marshal(p)
	return string(data)
}

// getServiceProperties serves Get Blob Service Properties.
func (e *Emulator) getServiceProperties(r *blobRequest) error {
	stored, err := e.store.serviceProperties(r.Context(), r.account.Key)
	if err != nil {
		return err
	}
	p, err := decodeServiceProperties(stored)
	if err != nil {
		return err
	}
	var x xmlWriter
	x.start()
	x.b.WriteString(p.encode())
	x.send(r.w, http.StatusOK)
	return nil
}

// setServiceProperties serves Set Blob Service Properties (202 Accepted, as the service).
func (e *Emulator) setServiceProperties(r *blobRequest) error {
	data, err := io.ReadAll(io.LimitReader(r.Body, 1<<20+1))
	if err != nil {
		return blobErr(http.StatusBadRequest, "InvalidInput", "The request body could not be read: "+err.Error())
	}
	var set serviceProperties
	if len(data) > 1<<20 || xml.Unmarshal(bytes.TrimSpace(data), &set) != nil {
		return blobErr(http.StatusBadRequest, "InvalidXmlDocument", "XML specified is not syntactically valid.")
	}
	if err := set.check(); err != nil {
		return err
	}
	var merged *serviceProperties
	err = e.store.setServiceProperties(r.Context(), r.account.Key, r.now, func(stored string) (string, error) {
		p, err := decodeServiceProperties(stored)
		if err != nil {
			return "", err
		}
		p.merge(&set)
		merged = p
		return p.encode(), nil
	})
	if err != nil {
		return blobStateError(err)
	}
	if merged.StaticWebsite != nil && merged.StaticWebsite.Enabled {
		if err := e.makeWebContainer(r); err != nil {
			return err
		}
	}
	r.w.Header().Set("Content-Length", "0")
	r.w.WriteHeader(http.StatusAccepted)
	return nil
}

// makeWebContainer makes the account's $web container, as Azure does when the static website
// is enabled: an ARM resource, as if made through ARM, when there is none.
func (e *Emulator) makeWebContainer(r *blobRequest) error {
	account, err := armid.Parse(r.account.ID)
	if err != nil {
		return err
	}
	id := account.Child("blobServices", "default").Child("containers", "$web")
	switch existing, err := e.store.get(r.Context(), id.Key(), r.now); {
	case err != nil:
		return err
	case existing != nil:
		return nil
	}
	if svc, err := e.store.get(r.Context(), id.Parent.Key(), r.now); err != nil || svc == nil {
		return errors.Join(err, fmt.Errorf("the account %s has no blob service to hold $web", r.accountName))
	}
	now := r.now.UTC().Format("2006-01-02T15:04:05.0000000Z")
	rec := newRecord(id, r.account.APIVersion)
	rec.setBody(map[string]any{
		"id": id.String(), "name": "$web", "type": "Microsoft.Storage/storageAccounts/blobServices/containers",
		"etag": "\"" + strings.Trim(e.newETag(r.now), `"`) + "\"",
		"properties": map[string]any{
			"publicAccess": "None", "leaseStatus": "Unlocked", "leaseState": "Available", "lastModifiedTime": now,
			"hasImmutabilityPolicy": false, "hasLegalHold": false, "defaultEncryptionScope": "$account-encryption-key",
			"denyEncryptionScopeOverride": false, "deleted": false, "remainingRetentionDays": 0,
		},
	})
	return e.store.put(r.Context(), nil, rec)
}
