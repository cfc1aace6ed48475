// Package clientrules holds the rules an OAuth client's registration
// must pass, wherever it is registered: in the configuration file, by
// the command line's clients create, by the admin API and in the
// developer portal. Check validates a whole client description and
// returns one Problem per field at fault; each caller words them its own
// way (the configuration with the YAML path, the admin API with the
// field's name, the portal with a message key). The single rules
// (RedirectURIProblem, CheckOrigin, ParseReuseWindow, ...) serve the
// callers that change one field at a time.
//
// The package imports only the standard library and storage.
package clientrules
