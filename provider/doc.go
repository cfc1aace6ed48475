// Package provider assembles TokenIM Auth's HTTP handler: it mounts every
// provider package's routes on one http.ServeMux and wraps them in the
// middleware every request passes through (request ID, client IP, panic
// recovery, security headers with Strict-Transport-Security for an https
// issuer, the rate limits given in Deps, and provider/edge's refusal of
// bytes that are not text). Deps.Instrument adds optional wrappers
// (metrics, tracing) right around the edge checks and the mux, where the
// matched route pattern is known.
//
// Routes owned here:
//
//	GET /               303 to /account when signed in, else to /login
//	GET /health/alive   the process is up
//	GET /health/ready   the store answers and the node can sign (readiness)
//	/                   (the fallback) an address no route serves: 404, the
//	                    site's error page for a page address, JSON for a
//	                    protocol or API one (provider/edge NotFound); 405
//	                    with Allow for a route asked for with another method
//
// Everything else belongs to the sub-packages: oauth (/oauth2/*,
// /.well-known/*, /userinfo) and the page packages.
package provider
