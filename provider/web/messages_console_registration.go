package web

import "github.com/tokenim/tokenim-auth/provider/i18n"

// consoleRegistrationMessages are the console's texts of dynamic client
// registration: self-registered apps, initial access tokens, and the
// actions of their authorization records.
func consoleRegistrationMessages() i18n.Catalogue {
	return i18n.Catalogue{
		"admin.app_self_registered":                 {EN: "Self-registered", ZH: "自助注册"},
		"admin.registration_title":                  {EN: "Client registration tokens", ZH: "客户端注册令牌"},
		"admin.registration_intro":                  {EN: "With a registration token a bot or an integration registers itself as an app at /oauth2/register. Its requests for scopes beyond sign-in wait for your approval on the app's page.", ZH: "持有注册令牌的机器人或集成可在 /oauth2/register 自行注册为应用。它申请的登录以外的权限范围需在应用页面由您批准。"},
		"admin.registration_caption":                {EN: "Registration tokens, newest first", ZH: "注册令牌（最新的在前）"},
		"admin.registration_col_uses":               {EN: "Registrations", ZH: "注册次数"},
		"admin.registration_revoked":                {EN: "Revoked", ZH: "已吊销"},
		"admin.registration_revoke":                 {EN: "Revoke", ZH: "吊销"},
		"admin.registration_spent":                  {EN: "Expired or used up", ZH: "已过期或已用完"},
		"admin.registration_none":                   {EN: "No registration token yet.", ZH: "尚无注册令牌。"},
		"admin.registration_create":                 {EN: "Issue a registration token", ZH: "签发注册令牌"},
		"admin.registration_new_token":              {EN: "New registration token", ZH: "新的注册令牌"},
		"admin.registration_token_warning":          {EN: "Copy the token now: it is not shown again.", ZH: "请立即复制此令牌：它不会再次显示。"},
		"admin.confirm_registration_heading":        {EN: "Issue a registration token for %s registration(s)?", ZH: "确定要签发可注册 %s 次的注册令牌吗？"},
		"admin.confirm_registration_text":           {EN: "Whoever holds it can register apps until it expires or is used up.", ZH: "持有者在令牌过期或用完之前都可以注册应用。"},
		"admin.submit_registration_create":          {EN: "Issue token", ZH: "签发令牌"},
		"admin.confirm_registration_revoke_heading": {EN: "Revoke the registration token %s?", ZH: "确定要吊销注册令牌 %s 吗？"},
		"admin.confirm_registration_revoke_text":    {EN: "It stops working at once; the apps it registered stay.", ZH: "令牌立即失效；已用它注册的应用保留。"},
		"admin.submit_registration_revoke":          {EN: "Revoke token", ZH: "吊销令牌"},
		"admin.notice_registration_created":         {EN: "The registration token was issued.", ZH: "注册令牌已签发。"},
		"admin.notice_registration_revoked":         {EN: "The registration token was revoked.", ZH: "注册令牌已吊销。"},
		"admin.error_registration_token":            {EN: "A registration token lives from one hour to 30 days and is good for 1 to 1000 registrations; its name has at most 100 characters.", ZH: "注册令牌的有效期为一小时至 30 天，可注册 1 至 1000 次；名称最多 100 个字符。"},
		"admin.action.app.registered":               {EN: "App registered itself", ZH: "应用自助注册"},
		"admin.action.app.registration_updated":     {EN: "Self-registered app changed", ZH: "自助注册的应用已修改"},
		"admin.action.app.registration_deleted":     {EN: "Self-registered app deleted itself", ZH: "自助注册的应用已自行删除"},
		"admin.action.registration_token.created":   {EN: "Registration token issued", ZH: "签发注册令牌"},
		"admin.action.registration_token.revoked":   {EN: "Registration token revoked", ZH: "吊销注册令牌"},
	}
}
