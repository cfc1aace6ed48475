package web

import "github.com/tokenim/tokenim-auth/provider/i18n"

// upstreamLogoutMessages returns the messages of ending the upstream's
// session at our logout (provider/login): the connector setting that turns
// it on, the page of a way back from the upstream that cannot be read, and
// the authorization record of the browser sent there.
func upstreamLogoutMessages() i18n.Catalogue {
	return i18n.Catalogue{
		// The console's box on an oidc connector's form.
		"admin.connector_field.end_upstream_session": {
			EN: "Signing out here signs out of the provider too",
			ZH: "在此退出登录时，同时退出该登录方式",
		},

		// What the logged-out route answers to a state it cannot open
		// (MessagePage Title and Message).
		"upstream_logout.title": {EN: "Could not return you to the app", ZH: "无法返回应用"},
		"upstream_logout.state_lost": {
			EN: "The way back from signing out at your sign-in provider could not be read: it expired, was altered, or belongs to another provider. Open the app you were using again.",
			ZH: "从登录方式退出后的返回信息无法读取：可能已过期、被修改，或属于其他登录方式。请重新打开您之前使用的应用。",
		},

		// The authorization record, as the records page names it.
		"admin.action.upstream.end_session": {EN: "Signed out at the upstream too", ZH: "同时退出外部身份提供方"},
	}
}
