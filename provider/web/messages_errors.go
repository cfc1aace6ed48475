package web

import "github.com/tokenim/tokenim-auth/provider/i18n"

// errorMessages returns the messages of the header every page shows (the
// language switcher, the signed-in bar), result pages and the error page.
func errorMessages() i18n.Catalogue {
	return i18n.Catalogue{
		// The layout's header.
		"layout.skip":         {EN: "Skip to content", ZH: "跳到正文"},
		"layout.languages":    {EN: "Language", ZH: "语言"},
		"layout.account_nav":  {EN: "Your account", ZH: "您的账号"},
		"layout.signed_in_as": {EN: "Signed in as %s", ZH: "已登录：%s"},
		"layout.account":      {EN: "Account", ZH: "账号与安全"},
		"layout.sign_out":     {EN: "Sign out", ZH: "退出登录"},
		// The language switcher's refusal (GET /lang), an error page.
		"lang.unknown": {
			EN: "The pages are not written in that language. Choose English or Simplified Chinese at the top of the page.",
			ZH: "页面不提供该语言，请在页面顶部选择英文或简体中文。",
		},

		// Result page.
		"message.title":    {EN: "Notice", ZH: "提示"},
		"message.continue": {EN: "Continue", ZH: "继续"},
		"message.sign_in":  {EN: "Go to sign-in", ZH: "前往登录"},
		"message.new_link": {EN: "Request a new link", ZH: "重新获取链接"},
		"message.account":  {EN: "Go to your account", ZH: "前往账号与安全"},

		// Rate limit refusal (provider/ratelimit), a result page.
		"ratelimit.title": {EN: "Too many requests", ZH: "请求过于频繁"},
		"ratelimit.wait": {
			EN:    "Too many requests came from your network in a short time. Try again in %s seconds.",
			ZH:    "您所在的网络在短时间内发出的请求过多，请在 %s 秒后重试。",
			ENOne: "Too many requests came from your network in a short time. Try again in %s second.",
		},

		// Too much password work at once (provider/password's pool), a
		// result page.
		"busy.title": {EN: "Busy right now", ZH: "服务繁忙"},
		"busy.message": {
			EN: "Too many people are signing in or changing passwords right now. Go back and try again in a few seconds.",
			ZH: "当前登录或修改密码的人数过多，请返回并在几秒后重试。",
		},

		// Error page.
		"error.reference": {EN: "Reference: %s", ZH: "请求编号：%s"},
		"error.title":     {EN: "Something went wrong", ZH: "出错了"},
		"error.invalid_request": {
			EN: "This sign-in link is not valid. Go back to the app and start again.",
			ZH: "此登录链接无效，请返回应用重新登录。",
		},
		"error.unknown_client": {
			EN: "The app that sent you here is not registered with TokenIM. Go back to the app and contact its developer.",
			ZH: "发起请求的应用未在 TokenIM 注册，请返回该应用并联系其开发者。",
		},
		"error.redirect_uri": {
			EN: "The app sent you here with an address it has not registered. For your safety you were not sent back to it.",
			ZH: "该应用提供的返回地址未经登记。为保障您的安全，我们没有将您跳转回该应用。",
		},
		"error.request_too_large": {
			EN: "The app sent a sign-in request that is too large. Go back to the app and contact its developer.",
			ZH: "该应用发送的登录请求过大，请返回该应用并联系其开发者。",
		},
		"error.flow_expired": {
			EN: "This sign-in took too long. Go back to the app and try again.",
			ZH: "登录已超时，请返回应用重新登录。",
		},
		"error.csrf": {
			EN: "This form has expired or was sent from another site. Go back and try again.",
			ZH: "页面已失效或请求来自其他网站，请返回后重试。",
		},
		"error.server": {
			EN: "We could not complete this request. Try again in a moment.",
			ZH: "暂时无法完成请求，请稍后重试。",
		},
		"error.not_found_title": {EN: "Page not found", ZH: "页面不存在"},
		"error.not_found": {
			EN: "This page does not exist. Check the address, or go back to the app.",
			ZH: "您访问的页面不存在，请检查地址或返回应用。",
		},
		"error.bad_input": {
			EN: "The address or the form holds characters that are not valid text. Check the link, or go back and try again.",
			ZH: "地址或表单中含有无效字符。请检查链接，或返回后重试。",
		},
		"error.too_large": {
			EN: "This form is too large to send. Go back and shorten what you entered.",
			ZH: "表单内容过多，无法提交。请返回并精简填写的内容。",
		},
		"error.logout_redirect": {
			EN: "The address to return to after signing out is not registered for this app.",
			ZH: "该应用未登记此退出登录后的返回地址。",
		},
		"account.apps_heading":  {EN: "Connected apps", ZH: "已授权的应用"},
		"account.apps_none":     {EN: "You have not authorised any app.", ZH: "您尚未授权任何应用。"},
		"account.app_granted":   {EN: "Authorised", ZH: "授权于"},
		"account.app_last_used": {EN: "last used", ZH: "最近使用"},
		"account.app_revoke":    {EN: "Revoke access", ZH: "撤销授权"},
		"account.app_conversations": {
			EN: "Only in these conversations:",
			ZH: "仅限以下会话：",
		},
		"account.app_conversation_revoke": {EN: "Revoke for this conversation", ZH: "撤销此会话的授权"},
		"apps.revoked": {
			EN: "Access revoked: the app's tokens stopped working at once.",
			ZH: "已撤销授权，该应用的令牌已立即失效。",
		},
		"scope.not_allowed": {
			EN: "Your role does not allow you to give this app: %s. If you need it, ask your administrator for a role that does.",
			ZH: "您的角色不允许向该应用授予以下权限：%s。如有需要，请联系管理员为您分配相应的角色。",
		},
		"message.back_to_app": {EN: "Back to the app", ZH: "返回应用"},
	}
}
