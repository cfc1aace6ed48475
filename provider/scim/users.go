package scim

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/elimity-com/scim"
	"github.com/elimity-com/scim/optional"
	filter "github.com/scim2/filter-parser/v2"

	"github.com/tokenim/tokenim-auth/provider/mailaddr"
	"github.com/tokenim/tokenim-auth/storage"
)

// users is the Users resource: the members of the token's workspace.
type users struct{ h *Handler }

// userResource is m as a SCIM User.
func userResource(m Member) scim.Resource {
	attrs := scim.ResourceAttributes{
		"userName": m.User.Email,
		"emails":   []any{map[string]any{"value": m.User.Email, "type": "work", "primary": true}},
		"active":   !m.Membership.Suspended,
	}
	if m.User.Name != "" {
		attrs["displayName"] = m.User.Name
		attrs["name"] = map[string]any{"formatted": m.User.Name}
	}
	res := scim.Resource{ID: m.User.ID, Attributes: attrs}
	if m.Membership.ExternalID != "" {
		res.ExternalID = optional.NewString(m.Membership.ExternalID)
	}
	created, modified := m.Membership.JoinedAt, m.User.UpdatedAt
	if !created.IsZero() {
		res.Meta.Created = &created
	}
	if !modified.IsZero() {
		res.Meta.LastModified = &modified
	}
	return res
}

// nameParts is what a request says of a user's name.
type nameParts struct {
	display, formatted, given, family string
}

// name is the account's name the parts make: the display name, else the
// formatted name, else the given and family names; empty when none.
func (n nameParts) name() string {
	for _, s := range []string{n.display, n.formatted, strings.TrimSpace(n.given + " " + n.family)} {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// set records the name attribute attr (displayName, or name's sub
// attribute sub) with value v.
func (n *nameParts) set(attr, sub string, v any) {
	s, _ := v.(string)
	switch {
	case strings.EqualFold(attr, "displayName"):
		n.display = s
	case !strings.EqualFold(attr, "name"):
	case sub == "":
		if m, ok := v.(map[string]any); ok {
			for k, sv := range m {
				n.set(attr, k, sv)
			}
		}
	case strings.EqualFold(sub, "formatted"):
		n.formatted = s
	case strings.EqualFold(sub, "givenName"):
		n.given = s
	case strings.EqualFold(sub, "familyName"):
		n.family = s
	}
}

// profile checks p and the name the parts make, and returns p with it.
func profile(p Profile, n nameParts) (Profile, error) {
	p.Email = strings.TrimSpace(p.Email)
	if !mailaddr.Valid(p.Email) {
		return p, badValue("userName must be the user's email address.")
	}
	p.Name = n.name()
	if utf8.RuneCountInString(p.Name) > storage.MaxUserName {
		return p, badValue("The name is longer than the provider keeps.")
	}
	return p, nil
}

// profileOf reads a User's attributes, as Create and Replace get them.
func profileOf(attrs scim.ResourceAttributes) (Profile, error) {
	p := Profile{Active: true}
	var n nameParts
	for k, v := range attrs {
		switch {
		case strings.EqualFold(k, "userName"):
			p.Email, _ = v.(string)
		case strings.EqualFold(k, "externalId"):
			p.ExternalID, _ = v.(string)
		case strings.EqualFold(k, "active"):
			if b, ok := v.(bool); ok {
				p.Active = b
			}
		default:
			n.set(k, "", v)
		}
	}
	return profile(p, n)
}

// Create provisions a member.
func (u users) Create(r *http.Request, attrs scim.ResourceAttributes) (scim.Resource, error) {
	p, err := profileOf(attrs)
	if err != nil {
		return scim.Resource{}, err
	}
	m, err := u.h.cfg.Members.Provision(r.Context(), actorOf(r), tokenOf(r).WorkspaceID, p)
	if err != nil {
		return scim.Resource{}, u.h.asSCIM(r, p.Email, err)
	}
	return userResource(m), nil
}

// Get returns a member.
func (u users) Get(r *http.Request, id string) (scim.Resource, error) {
	m, err := u.h.cfg.Members.Member(r.Context(), tokenOf(r).WorkspaceID, id)
	if err != nil {
		return scim.Resource{}, u.h.asSCIM(r, id, err)
	}
	return userResource(m), nil
}

// GetAll lists the members that pass the filter: userName eq is a lookup
// by email; any other filter is applied to each member.
func (u users) GetAll(r *http.Request, params scim.ListRequestParams) (scim.Page, error) {
	ctx, ws := r.Context(), tokenOf(r).WorkspaceID
	var found []scim.Resource
	if email, ok := equals(params, "userName"); ok {
		m, err := u.h.cfg.Members.MemberByEmail(ctx, ws, email)
		switch {
		case err == nil:
			found = append(found, userResource(m))
		case !isNotFound(err):
			return scim.Page{}, u.h.asSCIM(r, email, err)
		}
		return page(found, params), nil
	}
	after := ""
	for {
		ms, err := u.h.cfg.Members.List(ctx, ws, after, storage.DefaultPageLimit)
		if err != nil {
			return scim.Page{}, u.h.asSCIM(r, "", err)
		}
		for _, m := range ms {
			if res := userResource(m); passes(params, res) {
				found = append(found, res)
			}
		}
		if len(ms) < storage.DefaultPageLimit {
			return page(found, params), nil
		}
		after = ms[len(ms)-1].User.ID
	}
}

// Replace applies a whole User: its userName must stay the account's
// email.
func (u users) Replace(r *http.Request, id string, attrs scim.ResourceAttributes) (scim.Resource, error) {
	p, err := profileOf(attrs)
	if err != nil {
		return scim.Resource{}, err
	}
	m, err := u.h.cfg.Members.Update(r.Context(), actorOf(r), tokenOf(r).WorkspaceID, id, p)
	if err != nil {
		return scim.Resource{}, u.h.asSCIM(r, id, err)
	}
	return userResource(m), nil
}

// Delete ends a membership.
func (u users) Delete(r *http.Request, id string) error {
	return u.h.asSCIM(r, id, u.h.cfg.Members.Remove(r.Context(), actorOf(r), tokenOf(r).WorkspaceID, id))
}

// Patch applies the operations to the member's profile: active,
// externalId, the name (displayName, name.*) and userName (which must
// stay the account's email). Other attributes are accepted and not kept.
func (u users) Patch(r *http.Request, id string, ops []scim.PatchOperation) (scim.Resource, error) {
	ctx, ws := r.Context(), tokenOf(r).WorkspaceID
	cur, err := u.h.cfg.Members.Member(ctx, ws, id)
	if err != nil {
		return scim.Resource{}, u.h.asSCIM(r, id, err)
	}
	p := Profile{Email: cur.User.Email, ExternalID: cur.Membership.ExternalID, Active: !cur.Membership.Suspended}
	var n nameParts
	for _, op := range ops {
		value := op.Value
		if op.Op == scim.PatchOperationRemove {
			value = nil
		}
		if op.Path == nil {
			attrs, ok := value.(map[string]any)
			if !ok {
				return scim.Resource{}, badValue("An operation without a path takes an object of attributes.")
			}
			for k, v := range attrs {
				attr, sub, _ := strings.Cut(k, ".")
				if err := setUser(&p, &n, attr, sub, v); err != nil {
					return scim.Resource{}, err
				}
			}
			continue
		}
		sub := op.Path.AttributePath.SubAttributeName()
		if sub == "" {
			sub = op.Path.SubAttributeName()
		}
		if err := setUser(&p, &n, op.Path.AttributePath.AttributeName, sub, value); err != nil {
			return scim.Resource{}, err
		}
	}
	if p, err = profile(p, n); err != nil {
		return scim.Resource{}, err
	}
	m, err := u.h.cfg.Members.Update(ctx, actorOf(r), ws, id, p)
	if err != nil {
		return scim.Resource{}, u.h.asSCIM(r, id, err)
	}
	return userResource(m), nil
}

// setUser applies one attribute of a PATCH to p and n; v is nil for a
// removal.
func setUser(p *Profile, n *nameParts, attr, sub string, v any) error {
	switch {
	case strings.EqualFold(attr, "active"):
		if v == nil {
			return nil
		}
		b, ok := v.(bool)
		if !ok {
			return badValue("active is a boolean.")
		}
		p.Active = b
	case strings.EqualFold(attr, "externalId"):
		p.ExternalID, _ = v.(string)
	case strings.EqualFold(attr, "userName"):
		if s, ok := v.(string); ok {
			p.Email = s
		}
	default:
		n.set(attr, sub, v)
	}
	return nil
}

// equals returns the value of a filter "attr eq value" (attr in any
// letter case).
func equals(params scim.ListRequestParams, attr string) (string, bool) {
	if params.FilterValidator == nil {
		return "", false
	}
	e, ok := params.FilterValidator.GetFilter().(*filter.AttributeExpression)
	if !ok || e.Operator != filter.EQ || e.AttributePath.SubAttribute != nil || !strings.EqualFold(e.AttributePath.AttributeName, attr) {
		return "", false
	}
	s, ok := e.CompareValue.(string)
	return s, ok
}

// passes reports whether res passes the request's filter, if any.
func passes(params scim.ListRequestParams, res scim.Resource) bool {
	if params.FilterValidator == nil {
		return true
	}
	attrs := make(map[string]any, len(res.Attributes)+2)
	for k, v := range res.Attributes {
		attrs[k] = v
	}
	attrs["id"] = res.ID
	if res.ExternalID.Present() {
		attrs["externalId"] = res.ExternalID.Value()
	}
	return params.FilterValidator.PassesFilter(attrs) == nil
}

// page returns the part of found the request asks for (startIndex is
// 1-based), with the total.
func page(found []scim.Resource, params scim.ListRequestParams) scim.Page {
	start := min(max(params.StartIndex, 1)-1, len(found))
	end := min(start+max(params.Count, 0), len(found))
	return scim.Page{TotalResults: len(found), Resources: append([]scim.Resource{}, found[start:end]...)}
}
