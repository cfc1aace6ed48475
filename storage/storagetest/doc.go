// Package storagetest is the conformance suite every storage backend runs:
// Run checks each method's contract one case at a time, RunConcurrent
// checks that races (parallel refresh rotation, double code redemption,
// concurrent updates) end the way the contract says. A backend's test is
// one call to each with a function opening a fresh store, empty but for
// the default workspace (storage.DefaultWorkspaceID) every store starts
// with.
//
// Add a case here before adding a method to a storage interface.
package storagetest
