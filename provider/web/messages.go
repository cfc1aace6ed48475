package web

import (
	"maps"

	"github.com/tokenim/tokenim-auth/provider/i18n"
)

// genericKey is shown in place of a view's message key the catalogue does
// not know; New refuses a catalogue without it.
const genericKey = "error.title"

// messages returns every string the pages show. Some keys are passed by
// handlers in a view's message fields (LoginPage.Error, ErrorPage.Title,
// AccountPage.Notice, MessagePage.LinkText, ...; messages_test.go lists
// them all); the rest are used by the templates through t. A key a handler
// passes takes no argument, except login.throttled, which takes the
// LoginPage or MFAPage ErrorArg (a wait in whole seconds),
// ratelimit.wait, which takes the MessagePage MessageArg (also a wait in
// whole seconds), and portal.redirect_invalid, portal.logout_uri_invalid
// and portal.origin_invalid, which take the AppFormPage ErrorArg (the
// refused URI or origin).
//
// The Chinese is written as a mainland Chinese product would say it, not
// word for word: 您 throughout, full-width punctuation, and a space between
// Chinese and Latin text ("TokenIM 账号").
//
// The catalogue is kept area by area (messageAreas), one file each.
func messages() i18n.Catalogue {
	all := i18n.Catalogue{}
	for _, area := range messageAreas() {
		maps.Copy(all, area)
	}
	return all
}

// messageAreas returns the catalogue's areas, each from its own file
// (messages_signin.go, ...); no key is in two of them.
func messageAreas() []i18n.Catalogue {
	return []i18n.Catalogue{
		signInMessages(),
		accountMessages(),
		linkMessages(),
		consentMessages(),
		workspaceMessages(),
		installMessages(),
		deviceMessages(),
		portalMessages(),
		consoleMessages(),
		errorMessages(),
		consoleWorkspaceMessages(),
		consoleConnectorMessages(),
		consoleResourceMessages(),
		consoleExchangeMessages(),
		consoleWebhookMessages(),
		consoleRegistrationMessages(),
		upstreamLogoutMessages(),
	}
}
