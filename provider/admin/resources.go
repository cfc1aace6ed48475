package admin

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/resources"
	"github.com/tokenim/tokenim-auth/storage"
)

// The changes to the protected resources (RFC 8707) made in the console
// and through the API. A resource is checked by the rule of a resource
// identifier (resources.Check, the configuration's) and its scopes by the
// scope catalogue. The configured resources (Config.Resources) are
// read-only here: a stored resource of a configured one's URI is refused,
// and one stored before the configuration named it is shadowed (the
// token endpoints use the configured one) but may still be deleted.

// ErrConfiguredResource: the resource is set in the configuration file,
// read-only in the console and the API.
var ErrConfiguredResource = errors.New("the resource is set in the configuration file: change it there")

// maxResourceName bounds a resource's name, in characters.
const maxResourceName = 200

// ResourceID is the stable ID of the resource uri in addresses: its URI
// in base64url without padding, as a URI has slashes that a path segment
// cannot hold unescaped.
func ResourceID(uri string) string { return base64.RawURLEncoding.EncodeToString([]byte(uri)) }

// ResourceURI is the URI ResourceID made id of; false for an ID no URI
// makes.
func ResourceURI(id string) (string, bool) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(id)
	// The decoder skips line breaks: only the one spelling ResourceID
	// makes names the resource.
	if err != nil || len(b) == 0 || !utf8.Valid(b) || ResourceID(string(b)) != id {
		return "", false
	}
	return string(b), true
}

// ConfiguredResource returns the configured resource uri, if there is
// one.
func (a *API) ConfiguredResource(uri string) (resources.Resource, bool) {
	i := slices.IndexFunc(a.cfg.Resources, func(r resources.Resource) bool { return r.URI == uri })
	if i < 0 {
		return resources.Resource{}, false
	}
	return a.cfg.Resources[i], true
}

// checkResource checks what an administrator may set of r: a resource
// identifier (resources.Check), a name of at most maxResourceName
// characters, and one scope or more, each in the catalogue
// (ErrUnknownScope otherwise). It returns r with its scopes without
// repeats.
func (a *API) checkResource(r storage.Resource) (storage.Resource, error) {
	if err := resources.Check(r.URI); err != nil {
		return r, &FieldError{Field: "uri", Problem: err.Error()}
	}
	if utf8.RuneCountInString(r.Name) > maxResourceName {
		return r, &FieldError{Field: "name", Problem: fmt.Sprintf("longer than %d characters", maxResourceName)}
	}
	if strings.ContainsFunc(r.Name, unicode.IsControl) {
		return r, &FieldError{Field: "name", Problem: "holds a control character"}
	}
	if strings.TrimSpace(r.Name) != r.Name {
		return r, &FieldError{Field: "name", Problem: "starts or ends with a space"}
	}
	if len(r.Scopes) == 0 {
		return r, &FieldError{Field: "scopes", Problem: "required: the scopes the service accepts"}
	}
	var scopes []string
	for _, s := range r.Scopes {
		if !slices.Contains(a.cfg.Scopes, s) {
			return r, fmt.Errorf("%w %s", ErrUnknownScope, strconv.Quote(s))
		}
		if !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	r.Scopes = scopes
	return r, nil
}

// CreateResource checks r (a FieldError, or ErrUnknownScope) and stores
// it, recorded as resource.created. ErrConfiguredResource when the
// configuration file sets a resource of its URI; storage.ErrAlreadyExists
// when one is stored.
func (a *API) CreateResource(ctx context.Context, by Actor, r storage.Resource) (storage.Resource, error) {
	r, err := a.checkResource(r)
	if err != nil {
		return storage.Resource{}, err
	}
	if _, ok := a.ConfiguredResource(r.URI); ok {
		return storage.Resource{}, ErrConfiguredResource
	}
	now := a.cfg.Now().UTC().Truncate(time.Second)
	r.CreatedAt, r.UpdatedAt = now, now
	err = a.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		if err := a.cfg.Store.CreateResource(ctx, r); err != nil {
			return nil, err
		}
		return []audit.Event{by.On(audit.Event{Action: audit.ResourceCreated, Detail: map[string]string{
			"resource": r.URI, "name": r.Name, "scopes": strings.Join(r.Scopes, " ")}})}, nil
	})
	if err != nil {
		return storage.Resource{}, err
	}
	return r, nil
}

// UpdateResource changes the stored resource uri by change, checked as
// CreateResource checks, recorded as resource.updated naming the fields
// changed. Its URI does not change (a FieldError). ErrConfiguredResource
// when the configuration file sets a resource of that URI;
// storage.ErrNotFound when none is stored.
func (a *API) UpdateResource(ctx context.Context, by Actor, uri string, change func(*storage.Resource)) (storage.Resource, error) {
	if _, ok := a.ConfiguredResource(uri); ok {
		return storage.Resource{}, ErrConfiguredResource
	}
	var out storage.Resource
	err := a.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		before, err := a.cfg.Store.GetResource(ctx, uri)
		if err != nil {
			return nil, err
		}
		next := before.Clone()
		change(&next)
		if next.URI != before.URI {
			return nil, &FieldError{Field: "uri", Problem: "cannot change: delete the resource and add another"}
		}
		if next, err = a.checkResource(next); err != nil {
			return nil, err
		}
		var changed []string
		if next.Name != before.Name {
			changed = append(changed, "name")
		}
		if !slices.Equal(next.Scopes, before.Scopes) {
			changed = append(changed, "scopes")
		}
		if len(changed) == 0 {
			out = before
			return nil, nil
		}
		next.UpdatedAt = a.cfg.Now().UTC().Truncate(time.Second)
		if err := a.cfg.Store.UpdateResource(ctx, next); err != nil {
			return nil, err
		}
		out = next
		return []audit.Event{by.On(audit.Event{Action: audit.ResourceUpdated, Detail: map[string]string{
			"resource": uri, "changed": strings.Join(changed, " "), "scopes": strings.Join(next.Scopes, " ")}})}, nil
	})
	return out, err
}

// DeleteResource deletes the stored resource uri, recorded as
// resource.deleted: tokens are no longer issued for it, those issued
// stay until they expire. storage.ErrNotFound when none is stored. A
// stored resource the configuration shadows may be deleted: the
// configured one stays.
func (a *API) DeleteResource(ctx context.Context, by Actor, uri string) error {
	return a.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		r, err := a.cfg.Store.GetResource(ctx, uri)
		if err != nil {
			if _, ok := a.ConfiguredResource(uri); ok && errors.Is(err, storage.ErrNotFound) {
				return nil, ErrConfiguredResource
			}
			return nil, err
		}
		if err := a.cfg.Store.DeleteResource(ctx, uri); err != nil {
			return nil, err
		}
		return []audit.Event{by.On(audit.Event{Action: audit.ResourceDeleted, Detail: map[string]string{"resource": uri, "name": r.Name}})}, nil
	})
}
