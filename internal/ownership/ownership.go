// Package ownership is gru's one rule for what a project manages: the tags GruCloud writes on
// what it deploys (gc-managed-by=grucloud, gc-project-name, gc-stage, gc-created-by-provider),
// and which live resources they make a project's. Plan, destroy, list and gencode all ask it.
package ownership

import (
	"strings"
)

// The ownership tags GruCloud writes on what it deploys.
const (
	TagManagedBy = "gc-managed-by"
	TagProject   = "gc-project-name"
	TagStage     = "gc-stage"
	TagProvider  = "gc-created-by-provider"
)

// ManagedByValue is the value of TagManagedBy.
const ManagedByValue = "grucloud"

// Owner is a project at a stage. The zero Owner stands for any GruCloud project.
type Owner struct {
	Project, Stage string
}

// Tags are the ownership tags to write on the owner's resources.
func (o Owner) Tags() map[string]string {
	return map[string]string{TagManagedBy: ManagedByValue, TagProject: o.Project, TagStage: o.Stage, TagProvider: "azure"}
}

// IsOwnershipTag reports one of the tags gru writes itself (every gc- tag).
func IsOwnershipTag(name string) bool {
	return strings.HasPrefix(strings.ToLower(name), "gc-")
}

// Tagged reports whether a live resource carries the owner's tags (for the zero Owner: any
// GruCloud project's). Tag names compare case-insensitively, as ARM stores them.
func (o Owner) Tagged(live map[string]any) bool {
	tags, _ := live["tags"].(map[string]any)
	if tag(tags, TagManagedBy) != ManagedByValue {
		return false
	}
	if o.Project == "" {
		return true
	}
	return tag(tags, TagProject) == o.Project && (o.Stage == "" || tag(tags, TagStage) == o.Stage)
}

// Manages reports whether the owner manages a live resource: it carries the owner's tags, or it
// cannot carry tags (hasTags false: the type has none) and its parent is managed.
func (o Owner) Manages(live map[string]any, hasTags, parentManaged bool) bool {
	if hasTags {
		return o.Tagged(live)
	}
	return parentManaged
}

func tag(tags map[string]any, name string) string {
	if v, ok := tags[name].(string); ok {
		return v
	}
	for k, v := range tags {
		if strings.EqualFold(k, name) {
			s, _ := v.(string)
			return s
		}
	}
	return ""
}
