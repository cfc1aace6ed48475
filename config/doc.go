// Package config owns the provider's configuration: the Config type and its
// defaults, loading it, and checking it.
//
// Sources are merged in a fixed order into one Config value that the caller
// passes down; nothing else in the program reads the environment or the file:
//
//  1. Default: every setting's default, and the default scope catalogue.
//  2. The YAML file given to Load (see example.yaml, which lists every field).
//     Unknown keys are an error. Durations are written as "15m", "720h".
//     A refused file is explained in words, each problem with its line and
//     YAML path (clients[2].scopes), the kind of value expected there, and
//     for an unknown key the nearest known one; the keys come from the
//     structs' yaml tags (yamlFields), as the environment variables do.
//     A file that sets scopes replaces the whole default catalogue.
//  3. TOKENIM_* environment variables, one per scalar or list field reachable
//     through nested sections (not inside scopes, clients or users); the name
//     is EnvName of the field's YAML path, so database.max_conns is
//     TOKENIM_DATABASE_MAX_CONNS. Lists are comma-separated.
//  4. Flags, applied by cmd/tokenim-auth to the loaded value. Dev is set only
//     by --dev, never from YAML or the environment.
//
// Then the caller calls Validate, which reports every problem at once, each
// message starting with the field path (clients[1].secret: ...).
//
// A typical start-up:
//
//	cfg, err := config.Load(path, os.LookupEnv)
//	if err != nil { ... }
//	cfg.Dev = *devFlag
//	if err := cfg.Validate(); err != nil { ... exit 2 }
//
// The clients and users listed here are bootstrap records: the caller upserts
// them into storage at start-up, using Client.EffectiveGrantTypes and
// Client.EffectiveAuthMethod to fill in what the file leaves out.
package config
