package scim

import (
	"errors"
	"net/http"
	"strings"

	"github.com/elimity-com/scim"
	"github.com/elimity-com/scim/optional"
	filter "github.com/scim2/filter-parser/v2"

	"github.com/tokenim/tokenim-auth/storage"
)

// groups is the Groups resource: the token's workspace's groups.
type groups struct{ h *Handler }

// groupResource is g as a SCIM Group.
func groupResource(g Group) scim.Resource {
	members := make([]any, 0, len(g.Members))
	for _, id := range g.Members {
		members = append(members, map[string]any{"value": id, "type": "User"})
	}
	res := scim.Resource{ID: g.ID, Attributes: scim.ResourceAttributes{"displayName": g.DisplayName, "members": members}}
	if g.ExternalID != "" {
		res.ExternalID = optional.NewString(g.ExternalID)
	}
	created, modified := g.CreatedAt, g.UpdatedAt
	if !created.IsZero() {
		res.Meta.Created = &created
	}
	if !modified.IsZero() {
		res.Meta.LastModified = &modified
	}
	return res
}

// memberIDs reads a members value: a list of {"value": id}.
func memberIDs(v any) ([]string, error) {
	list, ok := v.([]any)
	if !ok {
		if v == nil {
			return nil, nil
		}
		list = []any{v}
	}
	var ids []string
	for _, item := range list {
		m, _ := item.(map[string]any)
		id, ok := field(m, "value").(string)
		if !ok || id == "" {
			return nil, badValue("Each member is an object with the user's id as its value.")
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// groupOf reads a Group's attributes, as Create and Replace get them.
func groupOf(attrs scim.ResourceAttributes) (Group, error) {
	var g Group
	var err error
	for k, v := range attrs {
		switch {
		case strings.EqualFold(k, "displayName"):
			g.DisplayName, _ = v.(string)
		case strings.EqualFold(k, "externalId"):
			g.ExternalID, _ = v.(string)
		case strings.EqualFold(k, "members"):
			if g.Members, err = memberIDs(v); err != nil {
				return Group{}, err
			}
		}
	}
	if g.DisplayName = strings.TrimSpace(g.DisplayName); g.DisplayName == "" {
		return Group{}, badValue("displayName is required.")
	}
	return g, nil
}

// Create stores a group.
func (gr groups) Create(r *http.Request, attrs scim.ResourceAttributes) (scim.Resource, error) {
	g, err := groupOf(attrs)
	if err != nil {
		return scim.Resource{}, err
	}
	g, err = gr.h.cfg.Groups.CreateGroup(r.Context(), actorOf(r), tokenOf(r).WorkspaceID, g)
	if err != nil {
		return scim.Resource{}, gr.h.asSCIM(r, g.DisplayName, err)
	}
	return groupResource(g), nil
}

// Get returns a group.
func (gr groups) Get(r *http.Request, id string) (scim.Resource, error) {
	g, err := gr.h.cfg.Groups.Group(r.Context(), tokenOf(r).WorkspaceID, id)
	if err != nil {
		return scim.Resource{}, gr.h.asSCIM(r, id, err)
	}
	return groupResource(g), nil
}

// GetAll lists the groups that pass the filter.
func (gr groups) GetAll(r *http.Request, params scim.ListRequestParams) (scim.Page, error) {
	ctx, ws := r.Context(), tokenOf(r).WorkspaceID
	var found []scim.Resource
	after := ""
	for {
		gs, err := gr.h.cfg.Groups.ListGroups(ctx, ws, after, storage.DefaultPageLimit)
		if err != nil {
			return scim.Page{}, gr.h.asSCIM(r, "", err)
		}
		for _, g := range gs {
			if res := groupResource(g); passes(params, res) {
				found = append(found, res)
			}
		}
		if len(gs) < storage.DefaultPageLimit {
			return page(found, params), nil
		}
		after = gs[len(gs)-1].ID
	}
}

// Replace applies a whole Group.
func (gr groups) Replace(r *http.Request, id string, attrs scim.ResourceAttributes) (scim.Resource, error) {
	g, err := groupOf(attrs)
	if err != nil {
		return scim.Resource{}, err
	}
	members := g.Members
	g, err = gr.h.cfg.Groups.ChangeGroup(r.Context(), actorOf(r), tokenOf(r).WorkspaceID, id,
		GroupChange{DisplayName: &g.DisplayName, ExternalID: &g.ExternalID, Members: &members})
	if err != nil {
		return scim.Resource{}, gr.h.asSCIM(r, id, err)
	}
	return groupResource(g), nil
}

// Delete removes a group.
func (gr groups) Delete(r *http.Request, id string) error {
	return gr.h.asSCIM(r, id, gr.h.cfg.Groups.DeleteGroup(r.Context(), actorOf(r), tokenOf(r).WorkspaceID, id))
}

// Patch applies the operations: displayName and externalId replaced,
// members added, removed (by a list, or by the path
// members[value eq "id"]) or replaced.
func (gr groups) Patch(r *http.Request, id string, ops []scim.PatchOperation) (scim.Resource, error) {
	var c GroupChange
	for _, op := range ops {
		if op.Path == nil {
			attrs, ok := op.Value.(map[string]any)
			if !ok {
				return scim.Resource{}, badValue("An operation without a path takes an object of attributes.")
			}
			for k, v := range attrs {
				if err := c.set(op.Op, k, v, nil); err != nil {
					return scim.Resource{}, err
				}
			}
			continue
		}
		if err := c.set(op.Op, op.Path.AttributePath.AttributeName, op.Value, op.Path.ValueExpression); err != nil {
			return scim.Resource{}, err
		}
	}
	if c.DisplayName != nil && strings.TrimSpace(*c.DisplayName) == "" {
		return scim.Resource{}, badValue("displayName cannot be empty.")
	}
	g, err := gr.h.cfg.Groups.ChangeGroup(r.Context(), actorOf(r), tokenOf(r).WorkspaceID, id, c)
	if err != nil {
		return scim.Resource{}, gr.h.asSCIM(r, id, err)
	}
	return groupResource(g), nil
}

// set applies one operation on attr to c; which, for members, is the
// path's value filter.
func (c *GroupChange) set(op, attr string, v any, which filter.Expression) error {
	switch {
	case strings.EqualFold(attr, "displayName"):
		if op != scim.PatchOperationRemove {
			s, _ := v.(string)
			c.DisplayName = &s
		}
	case strings.EqualFold(attr, "externalId"):
		s, _ := v.(string)
		if op == scim.PatchOperationRemove {
			s = ""
		}
		c.ExternalID = &s
	case strings.EqualFold(attr, "members"):
		return c.setMembers(op, v, which)
	}
	return nil
}

func (c *GroupChange) setMembers(op string, v any, which filter.Expression) error {
	if which != nil {
		if e, ok := which.(*filter.AttributeExpression); ok && op == scim.PatchOperationRemove && e.Operator == filter.EQ &&
			strings.EqualFold(e.AttributePath.AttributeName, "value") {
			if id, ok := e.CompareValue.(string); ok {
				c.Remove = append(c.Remove, id)
				return nil
			}
		}
		return badValue(`Members are chosen by members[value eq "id"], to remove them.`)
	}
	ids, err := memberIDs(v)
	if err != nil {
		return err
	}
	switch op {
	case scim.PatchOperationAdd:
		c.Add = append(c.Add, ids...)
	case scim.PatchOperationReplace:
		c.Members, c.Add, c.Remove, c.RemoveAll = &ids, nil, nil, false
	case scim.PatchOperationRemove:
		if ids == nil {
			c.RemoveAll, c.Add = true, nil
		}
		c.Remove = append(c.Remove, ids...)
	}
	return nil
}

// isNotFound reports storage.ErrNotFound.
func isNotFound(err error) bool { return errors.Is(err, storage.ErrNotFound) }
