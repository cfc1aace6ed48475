// Package testbed runs tokenim-auth on loopback for the developer tools
// that measure it (cmd/loadtest, cmd/chaos): the configuration file they
// give their nodes, "tokenim-auth serve" processes started, awaited until
// ready, stopped or killed, free loopback ports, and a description of the
// machine for their reports. It is not part of the product.
package testbed
