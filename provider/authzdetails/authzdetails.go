package authzdetails

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Param is the name of the request parameter and of the response member
// (RFC 9396 sections 2 and 7).
const Param = "authorization_details"

// The types TokenIM Auth supports, advertised in discovery as
// authorization_details_types_supported.
const (
	TypeConversation = "im_conversation"
	TypeChannel      = "im_channel"
)

// Bounds on what a request may carry.
const (
	// MaxBytes bounds the parameter's length.
	MaxBytes = 8 << 10
	// MaxDetails bounds the objects in the array.
	MaxDetails = 16
	// MaxLocations bounds the locations of one object.
	MaxLocations = 32
	// maxIDLen bounds the ID after a location's prefix.
	maxIDLen = 64
)

// ErrInvalid is the error of every refused parameter: the endpoints answer
// it with invalid_authorization_details (RFC 9396 section 5), its message
// as the description.
var ErrInvalid = errors.New("invalid_authorization_details")

// Types lists the supported types, for discovery.
func Types() []string { return []string{TypeConversation, TypeChannel} }

// actionScopes maps each action to the IM scope it needs: an action
// survives narrowing only when that scope is allowed.
var actionScopes = map[string]string{
	"messages.read": "im:messages.read",
	"messages.send": "im:messages.send",
	"calls.read":    "im:calls.read",
}

// Actions lists the supported actions.
func Actions() []string {
	return []string{"messages.read", "messages.send", "calls.read"}
}

// Scope is the IM scope action needs, or "" for an unknown action.
func Scope(action string) string { return actionScopes[action] }

// locationPrefix is what every location of a type starts with.
func locationPrefix(typ string) string {
	switch typ {
	case TypeConversation:
		return "conv:"
	case TypeChannel:
		return "chan:"
	}
	return ""
}

// Detail is one authorization details object.
type Detail struct {
	Type      string   `json:"type"`
	Actions   []string `json:"actions"`
	Locations []string `json:"locations"`
}

// List is an authorization_details value.
type List []Detail

// Parse reads and checks the parameter s. An empty s is no details (nil,
// nil). Within a detail, repeated actions and locations are dropped.
// Every refusal wraps ErrInvalid.
func Parse(s string) (List, error) {
	if s == "" {
		return nil, nil
	}
	if len(s) > MaxBytes {
		return nil, invalidf("authorization_details is longer than %d bytes", MaxBytes)
	}
	if !utf8.ValidString(s) {
		return nil, invalidf("authorization_details is not UTF-8 text")
	}
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil, invalidf("authorization_details must be a JSON array of objects")
	}
	if len(raw) == 0 {
		return nil, invalidf("authorization_details must name at least one object")
	}
	if len(raw) > MaxDetails {
		return nil, invalidf("authorization_details names more than %d objects", MaxDetails)
	}
	out := make(List, 0, len(raw))
	for i, obj := range raw {
		d, err := parseDetail(obj)
		if err != nil {
			return nil, fmt.Errorf("%w: object %d: %s", ErrInvalid, i, err.Error())
		}
		out = append(out, d)
	}
	return out, nil
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// parseDetail checks one object. Member names are matched exactly (the
// JSON decoder alone would accept "TYPE" for "type").
func parseDetail(obj map[string]json.RawMessage) (Detail, error) {
	for k := range obj {
		if k != "type" && k != "actions" && k != "locations" {
			return Detail{}, fmt.Errorf("the member %q is not supported; use type, actions and locations", k)
		}
	}
	var d Detail
	if err := strict(obj["type"], &d.Type); err != nil || d.Type == "" {
		return Detail{}, errors.New("type must be a string")
	}
	prefix := locationPrefix(d.Type)
	if prefix == "" {
		return Detail{}, fmt.Errorf("the type %q is not supported; use %s", d.Type, strings.Join(Types(), " or "))
	}
	var actions, locations []string
	if err := strict(obj["actions"], &actions); err != nil || len(actions) == 0 {
		return Detail{}, errors.New("actions must be a non-empty array of strings")
	}
	if err := strict(obj["locations"], &locations); err != nil || len(locations) == 0 {
		return Detail{}, errors.New("locations must be a non-empty array of strings")
	}
	if len(locations) > MaxLocations {
		return Detail{}, fmt.Errorf("more than %d locations", MaxLocations)
	}
	for _, a := range actions {
		if Scope(a) == "" {
			return Detail{}, fmt.Errorf("the action %q is not supported; use %s", a, strings.Join(Actions(), ", "))
		}
		if !slices.Contains(d.Actions, a) {
			d.Actions = append(d.Actions, a)
		}
	}
	for _, l := range locations {
		if !validLocation(prefix, l) {
			return Detail{}, fmt.Errorf("the location %q is not %sID (ID: 1 to %d of A-Z a-z 0-9 _ -)", l, prefix, maxIDLen)
		}
		if !slices.Contains(d.Locations, l) {
			d.Locations = append(d.Locations, l)
		}
	}
	return d, nil
}

// strict decodes raw into v, refusing a missing member and null.
func strict(raw json.RawMessage, v any) error {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return errors.New("missing")
	}
	return json.Unmarshal(raw, v)
}

// validLocation reports whether l is prefix followed by an ID.
func validLocation(prefix, l string) bool {
	id, ok := strings.CutPrefix(l, prefix)
	if !ok || id == "" || len(id) > maxIDLen {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// ValidLocation reports whether l is a location of the type typ.
func ValidLocation(typ, l string) bool {
	prefix := locationPrefix(typ)
	return prefix != "" && validLocation(prefix, l)
}

// String is the list as JSON, the form the parameter and the responses
// carry; "" for no details.
func (l List) String() string {
	if len(l) == 0 {
		return ""
	}
	// A List holds only strings and slices of them: it always encodes.
	b, _ := json.Marshal(l)
	return string(b)
}

// Scopes are the IM scopes the list's actions need, each once, in the
// order first needed.
func (l List) Scopes() []string {
	var out []string
	for _, d := range l {
		for _, a := range d.Actions {
			if s := Scope(a); !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// Narrow keeps of each detail the actions whose scope allowed permits,
// and the details with an action left: never more than asked.
func (l List) Narrow(allowed func(scope string) bool) List {
	var out List
	for _, d := range l {
		var actions []string
		for _, a := range d.Actions {
			if allowed(Scope(a)) {
				actions = append(actions, a)
			}
		}
		if len(actions) > 0 {
			out = append(out, Detail{Type: d.Type, Actions: actions, Locations: slices.Clone(d.Locations)})
		}
	}
	return out
}

// Grant is one action on one location: the unit a list grants and a
// resource server checks.
type Grant struct {
	Type     string
	Location string
	Action   string
}

// Grants are the list's grants, each once.
func (l List) Grants() []Grant {
	var out []Grant
	for _, d := range l {
		for _, loc := range d.Locations {
			for _, a := range d.Actions {
				if g := (Grant{d.Type, loc, a}); !slices.Contains(out, g) {
					out = append(out, g)
				}
			}
		}
	}
	return out
}

// Covers reports whether every grant of l is one of have's.
func (l List) Covers(have List) bool {
	hs := have.Grants()
	for _, g := range l.Grants() {
		if !slices.Contains(hs, g) {
			return false
		}
	}
	return true
}

// FromGrants rebuilds a list from grants: one detail per type and
// location, its actions in the order given.
func FromGrants(gs []Grant) List {
	var out List
	for _, g := range gs {
		i := slices.IndexFunc(out, func(d Detail) bool { return d.Type == g.Type && d.Locations[0] == g.Location })
		if i < 0 {
			out = append(out, Detail{Type: g.Type, Locations: []string{g.Location}})
			i = len(out) - 1
		}
		if !slices.Contains(out[i].Actions, g.Action) {
			out[i].Actions = append(out[i].Actions, g.Action)
		}
	}
	return out
}

// Without is l less the grants of the type typ at location loc.
func (l List) Without(typ, loc string) List {
	var out List
	for _, d := range l {
		if d.Type != typ || !slices.Contains(d.Locations, loc) {
			out = append(out, d)
			continue
		}
		rest := slices.DeleteFunc(slices.Clone(d.Locations), func(x string) bool { return x == loc })
		if len(rest) > 0 {
			out = append(out, Detail{Type: d.Type, Actions: slices.Clone(d.Actions), Locations: rest})
		}
	}
	return out
}

// Decode reads a list kept by this package (a session, a stored grant):
// what String wrote, or the same JSON decoded into generic values and
// encoded again. Unlike Parse it does not bound the size; it checks every
// value all the same.
func Decode(v any) (List, error) {
	var b []byte
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		b = []byte(x)
	case List:
		return x, nil
	default:
		var err error
		if b, err = json.Marshal(x); err != nil {
			return nil, fmt.Errorf("authzdetails: encode kept details: %w", err)
		}
	}
	if len(b) == 0 {
		return nil, nil
	}
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("authzdetails: decode kept details: %w", err)
	}
	out := make(List, 0, len(raw))
	for _, obj := range raw {
		d, err := parseDetail(obj)
		if err != nil {
			return nil, fmt.Errorf("authzdetails: decode kept details: %s", err.Error())
		}
		out = append(out, d)
	}
	return out, nil
}
