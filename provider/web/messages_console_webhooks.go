package web

import "github.com/tokenim/tokenim-auth/provider/i18n"

// consoleWebhookMessages are the texts of the console's webhook pages
// (provider/admin) and of the records webhooks leave.
func consoleWebhookMessages() i18n.Catalogue {
	return i18n.Catalogue{
		"admin.action.user.deleted":           {EN: "User deleted", ZH: "删除用户"},
		"admin.action.webhook.created":        {EN: "Webhook added", ZH: "添加网络回调"},
		"admin.action.webhook.updated":        {EN: "Webhook changed", ZH: "修改网络回调"},
		"admin.action.webhook.deleted":        {EN: "Webhook deleted", ZH: "删除网络回调"},
		"admin.action.webhook.secret_rotated": {EN: "Webhook secret rotated", ZH: "轮换网络回调密钥"},
		"admin.action.webhook.resent":         {EN: "Webhook message sent again", ZH: "重新发送网络回调消息"},
		"admin.action.webhook.delivered":      {EN: "Webhook message delivered", ZH: "网络回调消息已送达"},
		"admin.action.webhook.failed":         {EN: "Webhook message given up", ZH: "网络回调消息发送失败"},
	}
}
