package consoleurl

import "net/url"

// ExchangePolicies is the console's list of token exchange policies.
func ExchangePolicies() string { return "/admin/token-exchange" }

// ExchangePolicy is the console's page of the token exchange policy of
// the client clientID.
func ExchangePolicy(clientID string) string {
	return ExchangePolicies() + "/" + url.PathEscape(clientID)
}
