// Package links makes the one-time links the provider emails to account
// holders — to activate an account, to choose a password — and gives the
// form their tokens are stored and looked up in. It serves no route: the
// pages of provider/login open and use the links, and the admin API has
// them sent.
//
// A link's token is random (256 bits); only its keyed hash is stored
// (storage.Links), so a reader of the database cannot use a link. A new
// link of a purpose replaces the user's older ones of that purpose.
package links
