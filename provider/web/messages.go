package web

import "fmt"

// message is one string of the pages in each language. Texts that take
// arguments use fmt verbs (%s); the start-up check makes sure every
// template passes as many arguments as both texts expect.
type message struct {
	en string
	zh string // Simplified Chinese, zh-CN
}

// catalogue maps message keys to their texts.
type catalogue map[string]message

// genericKey is shown in place of a view's message key the catalogue does
// not know; New refuses a catalogue without it.
const genericKey = "error.title"

// messages returns every string the pages show. Handlers pass the keys
// under "login.", "consent." and "error." in LoginPage.Error,
// ConsentPage.Error and ErrorPage.Title/Message; the rest are used by the
// templates through t.
//
// The Chinese is written as a mainland Chinese product would say it, not
// word for word: 您 throughout, full-width punctuation, and a space between
// Chinese and Latin text ("TokenIM 账号").
func messages() catalogue {
	return catalogue{
		// Shared.
		"footer.language": {
			en: "This page follows your browser’s language setting.",
			zh: "页面语言跟随浏览器设置。",
		},

		// Sign-in page.
		"login.title":       {en: "Sign in", zh: "登录"},
		"login.heading":     {en: "Sign in to TokenIM", zh: "登录 TokenIM"},
		"login.heading_app": {en: "Sign in to continue to %s", zh: "登录以继续使用 %s"},
		"login.subheading":  {en: "Use your TokenIM account.", zh: "请使用您的 TokenIM 账号登录。"},
		"login.email":       {en: "Email", zh: "邮箱"},
		"login.password":    {en: "Password", zh: "密码"},
		"login.submit":      {en: "Sign in", zh: "登录"},
		"login.invalid":     {en: "Incorrect email or password.", zh: "邮箱或密码错误。"},
		"login.required":    {en: "Enter your email and password.", zh: "请输入邮箱和密码。"},
		"login.disabled": {
			en: "This account has been disabled. Contact your administrator.",
			zh: "该账号已被停用，请联系管理员。",
		},
		"login.pending": {
			en: "This account is not activated yet. Check your email for the activation link.",
			zh: "账号尚未激活，请查收邮件并点击其中的激活链接。",
		},

		// Consent page.
		"consent.title":        {en: "Allow access", zh: "授权确认"},
		"consent.heading":      {en: "%s wants to access your TokenIM account", zh: "%s 申请访问您的 TokenIM 账号"},
		"consent.client_id":    {en: "App ID: %s", zh: "应用 ID：%s"},
		"consent.intro":        {en: "This will allow %s to:", zh: "授权后，%s 将可以："},
		"consent.no_scopes":    {en: "Know that you are signed in to TokenIM", zh: "确认您已登录 TokenIM"},
		"consent.remember":     {en: "Remember this decision", zh: "记住我的选择"},
		"consent.allow":        {en: "Allow", zh: "允许"},
		"consent.deny":         {en: "Deny", zh: "拒绝"},
		"consent.signed_in_as": {en: "Signed in as %s.", zh: "当前账号：%s"},
		"consent.not_you":      {en: "Not you?", zh: "切换账号"},
		"consent.failed": {
			en: "We could not save your decision. Please try again.",
			zh: "未能保存您的选择，请重试。",
		},

		// Sign-out pages.
		"logout.title":   {en: "Sign out", zh: "退出登录"},
		"logout.heading": {en: "Sign out of TokenIM?", zh: "确定要退出登录吗？"},
		"logout.text": {
			en: "You will be signed out of TokenIM in this browser.",
			zh: "您将在此浏览器上退出 TokenIM 账号。",
		},
		"logout.text_app": {
			en: "%s asked to sign you out. You will be signed out of TokenIM in this browser.",
			zh: "%s 请求将您退出登录。确认后，您将在此浏览器上退出 TokenIM 账号。",
		},
		"logout.submit": {en: "Sign out", zh: "退出登录"},
		"logout.cancel": {
			en: "Changed your mind? Close this page to stay signed in.",
			zh: "不想退出？直接关闭此页面即可保持登录。",
		},
		"logged_out.title":   {en: "Signed out", zh: "已退出登录"},
		"logged_out.heading": {en: "You have signed out", zh: "您已退出登录"},
		"logged_out.text":    {en: "You can close this page now.", zh: "现在可以关闭此页面了。"},
		"logged_out.shared": {
			en: "On a shared computer, close the browser as well.",
			zh: "如果使用的是公共电脑，建议同时关闭浏览器。",
		},

		// Error page.
		"error.reference": {en: "Reference: %s", zh: "请求编号：%s"},
		"error.title":     {en: "Something went wrong", zh: "出错了"},
		"error.invalid_request": {
			en: "This sign-in link is not valid. Go back to the app and start again.",
			zh: "此登录链接无效，请返回应用重新登录。",
		},
		"error.unknown_client": {
			en: "The app that sent you here is not registered with TokenIM. Go back to the app and contact its developer.",
			zh: "发起请求的应用未在 TokenIM 注册，请返回该应用并联系其开发者。",
		},
		"error.redirect_uri": {
			en: "The app sent you here with an address it has not registered. For your safety you were not sent back to it.",
			zh: "该应用提供的返回地址未经登记。为保障您的安全，我们没有将您跳转回该应用。",
		},
		"error.flow_expired": {
			en: "This sign-in took too long. Go back to the app and try again.",
			zh: "登录已超时，请返回应用重新登录。",
		},
		"error.csrf": {
			en: "This form has expired or was sent from another site. Go back and try again.",
			zh: "页面已失效或请求来自其他网站，请返回后重试。",
		},
		"error.server": {
			en: "We could not complete this request. Try again in a moment.",
			zh: "暂时无法完成请求，请稍后重试。",
		},
		"error.not_found": {
			en: "This page does not exist. Check the address, or go back to the app.",
			zh: "您访问的页面不存在，请检查地址或返回应用。",
		},
		"error.logout_redirect": {
			en: "The address to return to after signing out is not registered for this app.",
			zh: "该应用未登记此退出登录后的返回地址。",
		},
		"error.access_denied": {
			en: "You do not have permission to do this. If you need it, ask your administrator.",
			zh: "您没有执行此操作的权限。如有需要，请联系管理员。",
		},
	}
}

// text returns a message's text in a locale; ok is false when the key is
// unknown or has no text in that language.
func (c catalogue) text(loc Locale, key string) (s string, ok bool) {
	m, found := c[key]
	if !found {
		return "", false
	}
	if loc == Chinese {
		s = m.zh
	} else {
		s = m.en
	}
	return s, s != ""
}

// translator is the template function t for one locale: {{t "key"}} or,
// for a text with verbs, {{t "key" .Arg}}. An unknown key is an error, not
// a panic; New has already refused templates that use one.
func (c catalogue) translator(loc Locale) func(key string, args ...any) (string, error) {
	return func(key string, args ...any) (string, error) {
		s, ok := c.text(loc, key)
		if !ok {
			return "", fmt.Errorf("no %s text for message %q", loc, key)
		}
		if len(args) == 0 {
			return s, nil
		}
		return fmt.Sprintf(s, args...), nil
	}
}

// verbs counts the fmt verbs in a text: the arguments it takes.
func verbs(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		if i+1 < len(s) && s[i+1] == '%' {
			i++
			continue
		}
		n++
	}
	return n
}
