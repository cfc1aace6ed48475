package web

import "github.com/tokenim/tokenim-auth/provider/i18n"

// consoleRegistrationMessages are the console's texts of dynamic client
// registration: self-registered apps, initial access tokens, and the
// actions of their authorization records.
func consoleRegistrationMessages() i18n.Catalogue {
	return i18n.Catalogue{
		"admin.action.app.registered":             {EN: "App registered itself", ZH: "应用自助注册"},
		"admin.action.app.registration_updated":   {EN: "Self-registered app changed", ZH: "自助注册的应用已修改"},
		"admin.action.app.registration_deleted":   {EN: "Self-registered app deleted itself", ZH: "自助注册的应用已自行删除"},
		"admin.action.registration_token.created": {EN: "Registration token issued", ZH: "签发注册令牌"},
		"admin.action.registration_token.revoked": {EN: "Registration token revoked", ZH: "吊销注册令牌"},
	}
}
