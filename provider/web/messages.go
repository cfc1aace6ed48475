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

// messages returns every string the pages show. Some keys are passed by
// handlers in a view's message fields (LoginPage.Error, ErrorPage.Title,
// AccountPage.Notice, MessagePage.LinkText, ...; messages_test.go lists
// them all); the rest are used by the templates through t. A key a handler
// passes takes no argument, except login.throttled, which takes the
// LoginPage or MFAPage ErrorArg: a wait in whole seconds.
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
		"login.throttled": {
			en: "Too many attempts. Try again in %s seconds.",
			zh: "尝试次数过多，请在 %s 秒后重试。",
		},
		"login.throttled_plain": {
			en: "Too many attempts. Wait a few minutes, then try again.",
			zh: "尝试次数过多，请等待几分钟后重试。",
		},
		"login.invalid_password": {en: "Incorrect password.", zh: "密码错误。"},
		"login.resend":           {en: "Resend activation email", zh: "重新发送激活邮件"},
		"login.forgot":           {en: "Forgot password?", zh: "忘记密码？"},
		"login.register_prompt":  {en: "New to TokenIM?", zh: "还没有 TokenIM 账号？"},
		"login.register":         {en: "Create an account", zh: "立即注册"},

		// Second step of sign-in.
		"mfa.title":         {en: "Two-step verification", zh: "两步验证"},
		"mfa.heading":       {en: "Two-step verification", zh: "两步验证"},
		"mfa.intro":         {en: "Enter the 6-digit code from your authenticator app.", zh: "请输入身份验证器应用中显示的 6 位验证码。"},
		"mfa.code":          {en: "Verification code", zh: "验证码"},
		"mfa.submit":        {en: "Verify", zh: "验证"},
		"mfa.use_app":       {en: "Use your authenticator app instead", zh: "改用身份验证器应用"},
		"mfa.use_recovery":  {en: "Use a recovery code instead", zh: "改用恢复码"},
		"mfa.recovery_code": {en: "Recovery code", zh: "恢复码"},
		"mfa.recovery_intro": {
			en: "Enter one of the recovery codes you saved when you set up two-step verification.",
			zh: "请输入您在开启两步验证时保存的任一恢复码。",
		},
		"mfa.invalid": {
			en: "That code is not right, or it was already used. Enter the latest code from your app.",
			zh: "验证码错误或已被使用，请输入应用中最新显示的验证码。",
		},
		"mfa.recovery_invalid": {
			en: "That recovery code is not right, or it was already used.",
			zh: "恢复码错误或已被使用。",
		},
		"mfa.enrolled": {en: "Two-step verification is on.", zh: "两步验证已开启。"},
		"mfa.disabled": {en: "Two-step verification is off.", zh: "两步验证已关闭。"},
		"mfa.required": {
			en: "This app requires two-step verification. Set it up in your account first, then sign in again.",
			zh: "该应用要求开启两步验证。请先在“账号与安全”中开启，然后重新登录。",
		},

		// Registration and activation.
		"register.title":        {en: "Create account", zh: "注册"},
		"register.heading":      {en: "Create your TokenIM account", zh: "创建您的 TokenIM 账号"},
		"register.email":        {en: "Email", zh: "邮箱"},
		"register.name":         {en: "Display name", zh: "昵称"},
		"register.name_hint":    {en: "People you chat with see this name.", zh: "聊天时，对方会看到这个名称。"},
		"register.password":     {en: "Password", zh: "密码"},
		"register.submit":       {en: "Create account", zh: "创建账号"},
		"register.have_account": {en: "Already have an account?", zh: "已有账号？"},
		"register.sign_in":      {en: "Sign in", zh: "立即登录"},
		"register.email_taken": {
			en: "An account with this email already exists. Sign in, or reset the password if you have forgotten it.",
			zh: "该邮箱已注册账号。请直接登录；如果忘记了密码，可以重置密码。",
		},
		"register.disabled": {
			en: "Registration is closed. Ask your administrator for an invitation.",
			zh: "暂不开放注册，请联系管理员获取邀请。",
		},
		"register.invalid_email": {
			en: "Enter a valid email address, such as name@example.com.",
			zh: "请输入有效的邮箱地址，例如 name@example.com。",
		},
		"register.required": {
			en: "Enter your email, display name and password.",
			zh: "请填写邮箱、昵称和密码。",
		},
		"activate.title": {en: "Account activation", zh: "账号激活"},
		"activate.done":  {en: "Your account is active. You can sign in now.", zh: "您的账号已激活，现在可以登录了。"},
		"activate.expired": {
			en: "This activation link has expired or was already used. Sign in to request a new one.",
			zh: "此激活链接已过期或已被使用。请登录以重新获取激活链接。",
		},
		"activate.sent": {
			en: "We sent a new activation link. Check your email.",
			zh: "新的激活链接已发送，请查收邮件。",
		},
		"check_email.title":   {en: "Check your email", zh: "查收邮件"},
		"check_email.heading": {en: "Check your email", zh: "请查收邮件"},
		"check_email.activate": {
			en: "We sent an activation link to %s. Open it to activate your account. It expires in 24 hours.",
			zh: "我们已向 %s 发送激活链接，请打开该链接激活您的账号。链接 24 小时内有效。",
		},
		"check_email.reset": {
			en: "If an account exists for %s, we sent a link to reset its password. It expires in 30 minutes.",
			zh: "如果 %s 已注册 TokenIM 账号，我们已向该邮箱发送重置密码的链接。链接 30 分钟内有效。",
		},
		"check_email.not_received": {
			en: "Didn’t get it? Check your spam or junk folder.",
			zh: "没有收到？请检查垃圾邮件文件夹。",
		},
		"check_email.resend": {en: "Send the activation link again", zh: "重新发送激活链接"},
		"check_email.back":   {en: "Back to sign-in", zh: "返回登录"},

		// Passwords: forgotten, reset and the rules for a new one.
		"password.hint": {en: "At least 8 characters.", zh: "至少 8 个字符。"},
		"password.too_short": {
			en: "Use at least 8 characters for your password.",
			zh: "密码至少需要 8 个字符。",
		},
		"password.too_long": {
			en: "Use at most 128 characters for your password.",
			zh: "密码不能超过 128 个字符。",
		},
		"password.common": {
			en: "This password is too common and easy to guess. Choose another one.",
			zh: "该密码过于常见，容易被猜到，请换一个。",
		},
		"password.mismatch": {en: "The two passwords do not match.", zh: "两次输入的密码不一致。"},
		"forgot.title":      {en: "Reset password", zh: "重置密码"},
		"forgot.heading":    {en: "Reset your password", zh: "重置密码"},
		"forgot.intro": {
			en: "Enter the email of your TokenIM account. We will send you a link to choose a new password.",
			zh: "请输入您的 TokenIM 账号邮箱，我们会向您发送设置新密码的链接。",
		},
		"forgot.email":   {en: "Email", zh: "邮箱"},
		"forgot.submit":  {en: "Send reset link", zh: "发送重置链接"},
		"forgot.back":    {en: "Back to sign-in", zh: "返回登录"},
		"reset.title":    {en: "Reset password", zh: "重置密码"},
		"reset.heading":  {en: "Choose a new password", zh: "设置新密码"},
		"reset.password": {en: "New password", zh: "新密码"},
		"reset.confirm":  {en: "Confirm new password", zh: "确认新密码"},
		"reset.note": {
			en: "When you change your password, you will be signed out on all your other devices.",
			zh: "修改密码后，您的其他设备将全部退出登录。",
		},
		"reset.submit": {en: "Change password", zh: "修改密码"},
		"reset.done": {
			en: "Your password was changed and your other devices were signed out. You can sign in with the new password now.",
			zh: "密码已修改，您的其他设备已退出登录。现在可以使用新密码登录了。",
		},
		"reset.no_mail": {
			en: "Password reset by email is not available here. Ask your administrator to reset your password.",
			zh: "此处不支持通过邮件重置密码，请联系管理员为您重置。",
		},
		"reset.expired": {
			en: "This reset link has expired or was already used. Request a new one.",
			zh: "此重置链接已过期或已被使用，请重新申请。",
		},

		// Account page.
		"account.title":       {en: "Your account", zh: "账号与安全"},
		"account.name":        {en: "Display name", zh: "昵称"},
		"account.email":       {en: "Email", zh: "邮箱"},
		"account.mfa_heading": {en: "Two-step verification", zh: "两步验证"},
		"account.mfa_off": {
			en: "Two-step verification is off. Turn it on to be asked for a code from an authenticator app, as well as your password, each time you sign in.",
			zh: "两步验证未开启。开启后，每次登录时除了密码，还需要输入身份验证器应用中的验证码。",
		},
		"account.mfa_setup": {en: "Set up two-step verification", zh: "设置两步验证"},
		"account.mfa_scan": {
			en: "Scan this QR code with your authenticator app.",
			zh: "请使用身份验证器应用扫描下方二维码。",
		},
		"account.mfa_qr_alt": {
			en: "QR code for setting up two-step verification",
			zh: "用于设置两步验证的二维码",
		},
		"account.mfa_manual": {
			en: "Can’t scan it? Enter this key in the app instead:",
			zh: "无法扫描？请在应用中手动输入以下密钥：",
		},
		"account.mfa_code":    {en: "6-digit code from the app", zh: "应用中显示的 6 位验证码"},
		"account.mfa_confirm": {en: "Turn on", zh: "开启"},
		"account.mfa_on":      {en: "Two-step verification is on.", zh: "两步验证已开启。"},
		"account.mfa_disable_intro": {
			en: "Enter your password and a code from your authenticator app.",
			zh: "请输入您的密码和身份验证器应用中的验证码。",
		},
		"account.password":            {en: "Current password", zh: "当前密码"},
		"account.mfa_disable_code":    {en: "Verification code", zh: "验证码"},
		"account.mfa_disable_heading": {en: "Turn off two-step verification", zh: "关闭两步验证"},
		"account.mfa_disable":         {en: "Turn off", zh: "关闭"},
		"account.recovery_heading":    {en: "Recovery codes", zh: "恢复码"},
		"account.recovery_intro": {
			en: "If you lose access to your authenticator app, sign in with one of these codes.",
			zh: "如果您无法使用身份验证器应用，可以用以下任一恢复码登录。",
		},
		"account.recovery_warning": {
			en: "Save these codes somewhere safe. Each works once. They will not be shown again.",
			zh: "请将这些恢复码保存在安全的地方。每个恢复码只能使用一次，且不会再次显示。",
		},
		"account.sessions_heading":  {en: "Where you’re signed in", zh: "登录设备"},
		"account.session_device":    {en: "Device", zh: "设备"},
		"account.session_ip":        {en: "IP address", zh: "IP 地址"},
		"account.session_signed_in": {en: "Signed in", zh: "登录时间"},
		"account.session_current":   {en: "This device", zh: "当前设备"},
		"account.unknown_device":    {en: "Unknown device", zh: "未知设备"},
		"account.signout_all_note": {
			en: "Signing out everywhere ends every session except this one.",
			zh: "这将使您在其他所有设备上退出登录，当前设备仍保持登录。",
		},
		"account.signout_all": {en: "Sign out everywhere", zh: "退出其他所有设备"},
		"sessions.signed_out": {
			en: "You were signed out everywhere else.",
			zh: "您已在其他所有设备上退出登录。",
		},

		// Result page.
		"message.title":    {en: "Notice", zh: "提示"},
		"message.continue": {en: "Continue", zh: "继续"},
		"message.sign_in":  {en: "Go to sign-in", zh: "前往登录"},
		"message.new_link": {en: "Request a new link", zh: "重新获取链接"},
		"message.account":  {en: "Go to your account", zh: "前往账号与安全"},

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
