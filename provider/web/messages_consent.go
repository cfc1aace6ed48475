package web

import "github.com/tokenim/tokenim-auth/provider/i18n"

// consentMessages returns the messages of the consent page.
func consentMessages() i18n.Catalogue {
	return i18n.Catalogue{
		// Consent page.
		"consent.title":        {EN: "Allow access", ZH: "授权确认"},
		"consent.heading":      {EN: "%s wants to access your TokenIM account", ZH: "%s 申请访问您的 TokenIM 账号"},
		"consent.client_id":    {EN: "App ID: %s", ZH: "应用 ID：%s"},
		"consent.intro":        {EN: "This will allow %s to:", ZH: "授权后，%s 将可以："},
		"consent.no_scopes":    {EN: "Know that you are signed in to TokenIM", ZH: "确认您已登录 TokenIM"},
		"consent.remember":     {EN: "Remember this decision", ZH: "记住我的选择"},
		"consent.allow":        {EN: "Allow", ZH: "允许"},
		"consent.deny":         {EN: "Deny", ZH: "拒绝"},
		"consent.signed_in_as": {EN: "Signed in as %s.", ZH: "当前账号：%s"},
		"consent.not_you":      {EN: "Not you?", ZH: "切换账号"},
		// Authorization details (RFC 9396): one line per conversation.
		"consent.details_intro": {
			EN: "Only in these conversations (untick any the app should not get):",
			ZH: "仅限以下会话（可取消勾选不希望授权的会话）：",
		},
		"consent.detail_action.messages_read": {EN: "Read messages in %s", ZH: "查看 %s 中的消息"},
		"consent.detail_action.messages_send": {EN: "Send messages in %s", ZH: "在 %s 中发送消息"},
		"consent.detail_action.calls_read":    {EN: "See call records in %s", ZH: "查看 %s 中的通话记录"},
		"consent.detail_action.unknown":       {EN: "Use %s", ZH: "使用 %s"},
		"consent.failed": {
			EN: "We could not save your decision. Please try again.",
			ZH: "未能保存您的选择，请重试。",
		},
	}
}
