package web

import "github.com/tokenim/tokenim-auth/provider/i18n"

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
func messages() i18n.Catalogue {
	return i18n.Catalogue{
		// Shared.
		"footer.language": {
			EN: "This page follows your browser’s language setting.",
			ZH: "页面语言跟随浏览器设置。",
		},

		// Sign-in page.
		"login.title":       {EN: "Sign in", ZH: "登录"},
		"login.heading":     {EN: "Sign in to TokenIM", ZH: "登录 TokenIM"},
		"login.heading_app": {EN: "Sign in to continue to %s", ZH: "登录以继续使用 %s"},
		"login.subheading":  {EN: "Use your TokenIM account.", ZH: "请使用您的 TokenIM 账号登录。"},
		"login.email":       {EN: "Email", ZH: "邮箱"},
		"login.password":    {EN: "Password", ZH: "密码"},
		"login.submit":      {EN: "Sign in", ZH: "登录"},
		"login.invalid":     {EN: "Incorrect email or password.", ZH: "邮箱或密码错误。"},
		"login.required":    {EN: "Enter your email and password.", ZH: "请输入邮箱和密码。"},
		"login.disabled": {
			EN: "This account has been disabled. Contact your administrator.",
			ZH: "该账号已被停用，请联系管理员。",
		},
		"login.pending": {
			EN: "This account is not activated yet. Check your email for the activation link.",
			ZH: "账号尚未激活，请查收邮件并点击其中的激活链接。",
		},
		"login.throttled": {
			EN:    "Too many attempts. Try again in %s seconds.",
			ZH:    "尝试次数过多，请在 %s 秒后重试。",
			ENOne: "Too many attempts. Try again in %s second.",
		},
		"login.throttled_plain": {
			EN: "Too many attempts. Wait a few minutes, then try again.",
			ZH: "尝试次数过多，请等待几分钟后重试。",
		},
		"login.invalid_password": {EN: "Incorrect password.", ZH: "密码错误。"},
		"login.resend":           {EN: "Resend activation email", ZH: "重新发送激活邮件"},
		"login.forgot":           {EN: "Forgot password?", ZH: "忘记密码？"},
		"login.register_prompt":  {EN: "New to TokenIM?", ZH: "还没有 TokenIM 账号？"},
		"login.register":         {EN: "Create an account", ZH: "立即注册"},

		// Second step of sign-in.
		"mfa.title":         {EN: "Two-step verification", ZH: "两步验证"},
		"mfa.heading":       {EN: "Two-step verification", ZH: "两步验证"},
		"mfa.intro":         {EN: "Enter the 6-digit code from your authenticator app.", ZH: "请输入身份验证器应用中显示的 6 位验证码。"},
		"mfa.code":          {EN: "Verification code", ZH: "验证码"},
		"mfa.submit":        {EN: "Verify", ZH: "验证"},
		"mfa.use_app":       {EN: "Use your authenticator app instead", ZH: "改用身份验证器应用"},
		"mfa.use_recovery":  {EN: "Use a recovery code instead", ZH: "改用恢复码"},
		"mfa.recovery_code": {EN: "Recovery code", ZH: "恢复码"},
		"mfa.recovery_intro": {
			EN: "Enter one of the recovery codes you saved when you set up two-step verification.",
			ZH: "请输入您在开启两步验证时保存的任一恢复码。",
		},
		"mfa.invalid": {
			EN: "That code is not right, or it was already used. Enter the latest code from your app.",
			ZH: "验证码错误或已被使用，请输入应用中最新显示的验证码。",
		},
		"mfa.recovery_invalid": {
			EN: "That recovery code is not right, or it was already used.",
			ZH: "恢复码错误或已被使用。",
		},
		"mfa.enrolled": {EN: "Two-step verification is on.", ZH: "两步验证已开启。"},
		"mfa.disabled": {EN: "Two-step verification is off.", ZH: "两步验证已关闭。"},
		"mfa.required": {
			EN: "This app requires two-step verification. Set it up in your account first, then sign in again.",
			ZH: "该应用要求开启两步验证。请先在“账号与安全”中开启，然后重新登录。",
		},

		// Registration and activation.
		"register.title":        {EN: "Create account", ZH: "注册"},
		"register.heading":      {EN: "Create your TokenIM account", ZH: "创建您的 TokenIM 账号"},
		"register.email":        {EN: "Email", ZH: "邮箱"},
		"register.name":         {EN: "Display name", ZH: "昵称"},
		"register.name_hint":    {EN: "People you chat with see this name.", ZH: "聊天时，对方会看到这个名称。"},
		"register.password":     {EN: "Password", ZH: "密码"},
		"register.submit":       {EN: "Create account", ZH: "创建账号"},
		"register.have_account": {EN: "Already have an account?", ZH: "已有账号？"},
		"register.sign_in":      {EN: "Sign in", ZH: "立即登录"},
		"register.disabled": {
			EN: "Registration is closed. Ask your administrator for an invitation.",
			ZH: "暂不开放注册，请联系管理员获取邀请。",
		},
		"register.invalid_email": {
			EN: "Enter a valid email address, such as name@example.com.",
			ZH: "请输入有效的邮箱地址，例如 name@example.com。",
		},
		"register.throttled": {
			EN: "Too many accounts were created from your network. Try again later.",
			ZH: "您所在的网络注册的账号过多，请稍后再试。",
		},
		"register.required": {
			EN: "Enter your email, display name and password.",
			ZH: "请填写邮箱、昵称和密码。",
		},
		"activate.title":   {EN: "Account activation", ZH: "账号激活"},
		"activate.heading": {EN: "Activate your account", ZH: "激活您的账号"},
		"activate.intro": {
			EN: "Press the button below to confirm your email address and activate your TokenIM account.",
			ZH: "请点击下方按钮确认邮箱地址，激活您的 TokenIM 账号。",
		},
		"activate.submit": {EN: "Activate account", ZH: "激活账号"},
		"activate.done":   {EN: "Your account is active. You can sign in now.", ZH: "您的账号已激活，现在可以登录了。"},
		"activate.expired": {
			EN: "This activation link has expired or was already used. Sign in to request a new one.",
			ZH: "此激活链接已过期或已被使用。请登录以重新获取激活链接。",
		},
		"activate.sent": {
			EN: "We sent a new activation link. Check your email.",
			ZH: "新的激活链接已发送，请查收邮件。",
		},
		"check_email.title":   {EN: "Check your email", ZH: "查收邮件"},
		"check_email.heading": {EN: "Check your email", ZH: "请查收邮件"},
		"check_email.activate": {
			EN: "We sent an activation link to %s. Open it to activate your account. It expires in %s.",
			ZH: "我们已向 %s 发送激活链接，请打开该链接激活您的账号。链接 %s内有效。",
		},
		"check_email.reset": {
			EN: "If an account exists for %s, we sent a link to reset its password. It expires in %s.",
			ZH: "如果 %s 已注册 TokenIM 账号，我们已向该邮箱发送重置密码的链接。链接 %s内有效。",
		},
		"check_email.not_received": {
			EN: "Didn’t get it? Check your spam or junk folder.",
			ZH: "没有收到？请检查垃圾邮件文件夹。",
		},
		"check_email.resend": {EN: "Send the activation link again", ZH: "重新发送激活链接"},
		"check_email.back":   {EN: "Back to sign-in", ZH: "返回登录"},

		// Passwords: forgotten, reset and the rules for a new one.
		"password.hint": {EN: "At least 8 characters.", ZH: "至少 8 个字符。"},
		"password.too_short": {
			EN: "Use at least 8 characters for your password.",
			ZH: "密码至少需要 8 个字符。",
		},
		"password.too_long": {
			EN: "Use at most 128 characters for your password.",
			ZH: "密码不能超过 128 个字符。",
		},
		"password.common": {
			EN: "This password is too common and easy to guess. Choose another one.",
			ZH: "该密码过于常见，容易被猜到，请换一个。",
		},
		"password.mismatch": {EN: "The two passwords do not match.", ZH: "两次输入的密码不一致。"},
		"forgot.title":      {EN: "Reset password", ZH: "重置密码"},
		"forgot.heading":    {EN: "Reset your password", ZH: "重置密码"},
		"forgot.intro": {
			EN: "Enter the email of your TokenIM account. We will send you a link to choose a new password.",
			ZH: "请输入您的 TokenIM 账号邮箱，我们会向您发送设置新密码的链接。",
		},
		"forgot.email":   {EN: "Email", ZH: "邮箱"},
		"forgot.submit":  {EN: "Send reset link", ZH: "发送重置链接"},
		"forgot.back":    {EN: "Back to sign-in", ZH: "返回登录"},
		"reset.title":    {EN: "Reset password", ZH: "重置密码"},
		"reset.heading":  {EN: "Choose a new password", ZH: "设置新密码"},
		"reset.password": {EN: "New password", ZH: "新密码"},
		"reset.confirm":  {EN: "Confirm new password", ZH: "确认新密码"},
		"reset.note": {
			EN: "When you change your password, you will be signed out on all your other devices.",
			ZH: "修改密码后，您的其他设备将全部退出登录。",
		},
		"reset.submit": {EN: "Change password", ZH: "修改密码"},
		"reset.done": {
			EN: "Your password was changed and your other devices were signed out. You can sign in with the new password now.",
			ZH: "密码已修改，您的其他设备已退出登录。现在可以使用新密码登录了。",
		},
		"reset.no_mail": {
			EN: "Password reset by email is not available here. Ask your administrator to reset your password.",
			ZH: "此处不支持通过邮件重置密码，请联系管理员为您重置。",
		},
		"reset.expired": {
			EN: "This reset link has expired or was already used. Request a new one.",
			ZH: "此重置链接已过期或已被使用，请重新申请。",
		},

		// Account page.
		"account.title":       {EN: "Your account", ZH: "账号与安全"},
		"account.name":        {EN: "Display name", ZH: "昵称"},
		"account.email":       {EN: "Email", ZH: "邮箱"},
		"account.mfa_heading": {EN: "Two-step verification", ZH: "两步验证"},
		"account.mfa_off": {
			EN: "Two-step verification is off. Turn it on to be asked for a code from an authenticator app, as well as your password, each time you sign in.",
			ZH: "两步验证未开启。开启后，每次登录时除了密码，还需要输入身份验证器应用中的验证码。",
		},
		"account.mfa_setup": {EN: "Set up two-step verification", ZH: "设置两步验证"},
		"account.mfa_scan": {
			EN: "Scan this QR code with your authenticator app.",
			ZH: "请使用身份验证器应用扫描下方二维码。",
		},
		"account.mfa_qr_alt": {
			EN: "QR code for setting up two-step verification",
			ZH: "用于设置两步验证的二维码",
		},
		"account.mfa_manual": {
			EN: "Can’t scan it? Enter this key in the app instead:",
			ZH: "无法扫描？请在应用中手动输入以下密钥：",
		},
		"account.mfa_code":    {EN: "6-digit code from the app", ZH: "应用中显示的 6 位验证码"},
		"account.mfa_confirm": {EN: "Turn on", ZH: "开启"},
		"account.mfa_on":      {EN: "Two-step verification is on.", ZH: "两步验证已开启。"},
		"account.mfa_disable_intro": {
			EN: "Enter your password and a code from your authenticator app.",
			ZH: "请输入您的密码和身份验证器应用中的验证码。",
		},
		"account.password":            {EN: "Current password", ZH: "当前密码"},
		"account.mfa_disable_code":    {EN: "Verification code", ZH: "验证码"},
		"account.mfa_disable_heading": {EN: "Turn off two-step verification", ZH: "关闭两步验证"},
		"account.mfa_disable":         {EN: "Turn off", ZH: "关闭"},
		"account.recovery_heading":    {EN: "Recovery codes", ZH: "恢复码"},
		"account.recovery_intro": {
			EN: "If you lose access to your authenticator app, sign in with one of these codes.",
			ZH: "如果您无法使用身份验证器应用，可以用以下任一恢复码登录。",
		},
		"account.recovery_warning": {
			EN: "Save these codes somewhere safe. Each works once. They will not be shown again.",
			ZH: "请将这些恢复码保存在安全的地方。每个恢复码只能使用一次，且不会再次显示。",
		},
		"account.sessions_heading":  {EN: "Where you’re signed in", ZH: "登录设备"},
		"account.session_device":    {EN: "Device", ZH: "设备"},
		"account.session_ip":        {EN: "IP address", ZH: "IP 地址"},
		"account.session_signed_in": {EN: "Signed in", ZH: "登录时间"},
		"account.session_current":   {EN: "This device", ZH: "当前设备"},
		"account.unknown_device":    {EN: "Unknown device", ZH: "未知设备"},
		"account.signout_all_note": {
			EN: "Signing out everywhere ends every session except this one.",
			ZH: "这将使您在其他所有设备上退出登录，当前设备仍保持登录。",
		},
		"account.signout_all": {EN: "Sign out everywhere", ZH: "退出其他所有设备"},
		"sessions.signed_out": {
			EN: "You were signed out everywhere else.",
			ZH: "您已在其他所有设备上退出登录。",
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
		"consent.failed": {
			EN: "We could not save your decision. Please try again.",
			ZH: "未能保存您的选择，请重试。",
		},

		// Sign-out pages.
		"form_post.title":   {EN: "Returning to the app", ZH: "正在返回应用"},
		"form_post.heading": {EN: "Returning to the app", ZH: "正在返回应用"},
		"form_post.text":    {EN: "If nothing happens, press Continue.", ZH: "如果页面没有跳转，请点击“继续”。"},
		"form_post.submit":  {EN: "Continue", ZH: "继续"},
		"logout.title":      {EN: "Sign out", ZH: "退出登录"},
		"logout.heading":    {EN: "Sign out of TokenIM?", ZH: "确定要退出登录吗？"},
		"logout.text": {
			EN: "You will be signed out of TokenIM in this browser.",
			ZH: "您将在此浏览器上退出 TokenIM 账号。",
		},
		"logout.text_app": {
			EN: "%s asked to sign you out. You will be signed out of TokenIM in this browser.",
			ZH: "%s 请求将您退出登录。确认后，您将在此浏览器上退出 TokenIM 账号。",
		},
		"logout.submit": {EN: "Sign out", ZH: "退出登录"},
		"logout.cancel": {
			EN: "Changed your mind? Close this page to stay signed in.",
			ZH: "不想退出？直接关闭此页面即可保持登录。",
		},
		"logged_out.title":   {EN: "Signed out", ZH: "已退出登录"},
		"logged_out.heading": {EN: "You have signed out", ZH: "您已退出登录"},
		"logged_out.text":    {EN: "You can close this page now.", ZH: "现在可以关闭此页面了。"},
		"logged_out.shared": {
			EN: "On a shared computer, close the browser as well.",
			ZH: "如果使用的是公共电脑，建议同时关闭浏览器。",
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
		"apps.revoked": {
			EN: "Access revoked: the app's tokens stopped working at once.",
			ZH: "已撤销授权，该应用的令牌已立即失效。",
		},
		"scope.not_allowed": {
			EN: "Your role does not allow you to give this app: %s. If you need it, ask your administrator for a role that does.",
			ZH: "您的角色不允许向该应用授予以下权限：%s。如有需要，请联系管理员为您分配相应的角色。",
		},
		"message.back_to_app": {EN: "Back to the app", ZH: "返回应用"},

		// Device sign-in (/device).
		"device.title":           {EN: "Sign in on a device", ZH: "在设备上登录"},
		"device.heading":         {EN: "Sign in on your device", ZH: "在您的设备上登录"},
		"device.intro":           {EN: "Enter the code your device shows.", ZH: "请输入设备上显示的代码。"},
		"device.code_label":      {EN: "Code", ZH: "代码"},
		"device.code_hint":       {EN: "8 letters, like BDFG-HJKL.", ZH: "8 个字母，例如 BDFG-HJKL。"},
		"device.continue":        {EN: "Continue", ZH: "继续"},
		"device.confirm_heading": {EN: "Sign in to %s on this device?", ZH: "在此设备上登录 %s？"},
		"device.confirm_intro":   {EN: "A device asked to sign in to your account:", ZH: "有设备请求登录您的账号："},
		"device.code":            {EN: "Code", ZH: "代码"},
		"device.address":         {EN: "Network address", ZH: "网络地址"},
		"device.agent":           {EN: "Device", ZH: "设备"},
		"device.asked":           {EN: "Asked", ZH: "请求时间"},
		"device.ago":             {EN: "%s ago", ZH: "%s前"},
		"device.warning": {
			EN: "Approve only if you started this sign-in yourself and the code matches your device's screen. Never approve a code someone sent you.",
			ZH: "仅当登录由您本人发起、且代码与设备屏幕上显示的一致时才批准。切勿批准他人发给您的代码。",
		},
		"device.approve": {EN: "Approve", ZH: "批准"},
		"device.deny":    {EN: "Deny", ZH: "拒绝"},
		"device.malformed": {
			EN: "That is not a code: a code is 8 letters, like BDFG-HJKL.",
			ZH: "代码格式不正确：代码为 8 个字母，例如 BDFG-HJKL。",
		},
		"device.unknown": {
			EN: "This code is not valid: it may have expired or been used already. Start the sign-in again on your device to get a new one.",
			ZH: "此代码无效：可能已过期或已被使用。请在设备上重新发起登录以获取新代码。",
		},
		"device.throttled": {
			EN:    "Too many wrong codes. Try again in %s seconds.",
			ZH:    "错误次数过多，请在 %s 秒后重试。",
			ENOne: "Too many wrong codes. Try again in %s second.",
		},
		"device.failed": {
			EN: "Your decision could not be saved. Please try again.",
			ZH: "无法保存您的选择，请重试。",
		},
		"device.approved_title": {EN: "Device signed in", ZH: "设备已登录"},
		"device.approved": {
			EN: "You approved the sign-in. Your device continues on its own: you can close this page.",
			ZH: "您已批准登录，设备将自动继续。您可以关闭此页面。",
		},
		"device.denied_title": {EN: "Sign-in denied", ZH: "已拒绝登录"},
		"device.denied": {
			EN: "You denied the sign-in: the device gets no access to your account.",
			ZH: "您已拒绝登录，该设备无法访问您的账号。",
		},
		"error.access_denied": {
			EN: "You do not have permission to do this. If you need it, ask your administrator.",
			ZH: "您没有执行此操作的权限。如有需要，请联系管理员。",
		},
		"account.developer_link": {EN: "Your apps (developer portal)", ZH: "我的应用（开发者平台）"},

		// Developer portal: the list of apps.
		"portal.title":         {EN: "Your apps", ZH: "我的应用"},
		"portal.intro":         {EN: "Apps you registered to sign people in with TokenIM or to call its APIs.", ZH: "您注册的、通过 TokenIM 登录或调用 TokenIM 接口的应用。"},
		"portal.col_name":      {EN: "Name", ZH: "名称"},
		"portal.col_kind":      {EN: "Type", ZH: "类型"},
		"portal.col_created":   {EN: "Created", ZH: "创建日期"},
		"portal.kind_web":      {EN: "Web app", ZH: "网页应用"},
		"portal.kind_browser":  {EN: "Browser app (single-page)", ZH: "浏览器应用（单页应用）"},
		"portal.kind_native":   {EN: "Mobile or desktop app", ZH: "移动或桌面应用"},
		"portal.kind_service":  {EN: "Service or bot", ZH: "服务或机器人"},
		"portal.expiring_one":  {EN: "1 secret expires soon", ZH: "1 个密钥即将过期"},
		"portal.expiring_many": {EN: "%d secrets expire soon", ZH: "%d 个密钥即将过期"},
		"portal.none":          {EN: "You have not registered any app yet.", ZH: "您还没有注册任何应用。"},
		"portal.new":           {EN: "Create an app", ZH: "创建应用"},

		// Developer portal: the app form.
		"portal.client_id":   {EN: "Client ID", ZH: "客户端 ID"},
		"portal.kind":        {EN: "Type of app", ZH: "应用类型"},
		"portal.name":        {EN: "Name", ZH: "应用名称"},
		"portal.name_hint":   {EN: "People see this name when they sign in to your app.", ZH: "用户登录您的应用时会看到这个名称。"},
		"portal.description": {EN: "Description", ZH: "应用简介"},
		"portal.logo_uri":    {EN: "Logo URL", ZH: "Logo 地址"},
		"portal.logo_hint":   {EN: "The https address of a square image. Optional.", ZH: "正方形图片的 https 地址，选填。"},
		"portal.kind_web_hint": {
			EN: "Runs on a server that can keep a secret, and signs people in through their browser.",
			ZH: "运行在服务器上，可以妥善保管密钥，通过浏览器让用户登录。",
		},
		"portal.kind_native_hint": {
			EN: "Runs on people’s phones or computers, which cannot keep a secret: signs them in with PKCE, without a secret.",
			ZH: "运行在用户的手机或电脑上，无法妥善保管密钥：通过 PKCE 让用户登录，不使用密钥。",
		},
		"portal.kind_browser_hint": {
			EN: "Runs in the browser as a single-page app and fetches its tokens from the page: no secret, PKCE, https redirect URIs. Its sign-ins last a day at most.",
			ZH: "作为单页应用在浏览器中运行，并在页面中获取令牌：不使用密钥，使用 PKCE 和 https 重定向 URI。登录状态最长保持一天。",
		},
		"portal.allowed_origins": {EN: "Allowed web origins", ZH: "允许的网页来源"},
		"portal.allowed_origins_hint": {
			EN: "Browser and web apps only. Where the app’s pages call TokenIM from, one per line, like https://app.example.com (http on localhost for development). A browser app left empty uses its redirect URIs’ origins.",
			ZH: "仅适用于浏览器应用和网页应用。应用页面从哪些来源调用 TokenIM，每行一个，即 https 协议加主机名（开发时可使用 localhost 上的 http）。浏览器应用留空时使用其重定向 URI 的来源。",
		},
		"portal.reuse_window": {EN: "Refresh token reuse window", ZH: "刷新令牌复用窗口"},
		"portal.reuse_window_hint": {
			EN: "Optional. How long after a refresh the previous refresh token still works, for parallel refreshes or a retry after a lost response: from 0s (off) to 1m, like 10s. Empty: the provider’s default.",
			ZH: "选填。刷新后，旧的刷新令牌在多长时间内仍可使用（用于并行刷新或响应丢失后的重试）：0s（关闭）至 1m，例如 10s。留空则使用服务默认值。",
		},
		"portal.kind_service_hint": {
			EN: "Calls TokenIM APIs on its own behalf with a secret, with nobody signed in.",
			ZH: "使用密钥以自身身份调用 TokenIM 接口，无需用户登录。",
		},
		"portal.token_format":  {EN: "Access tokens", ZH: "访问令牌"},
		"portal.format_opaque": {EN: "Opaque", ZH: "不透明令牌"},
		"portal.format_opaque_hint": {
			EN: "A random string; your servers check it by introspection.",
			ZH: "随机字符串；由你的服务器通过令牌内省（introspection）校验。",
		},
		"portal.format_jwt": {EN: "JWT", ZH: "JWT 令牌"},
		"portal.format_jwt_hint": {
			EN: "A signed JWT (RFC 9068); a gateway verifies it itself against the JWKS.",
			ZH: "已签名的 JWT（RFC 9068）；网关可使用 JWKS 自行校验。",
		},
		"portal.require_par": {EN: "Require pushed authorization requests", ZH: "要求推送授权请求"},
		"portal.require_par_hint": {
			EN: "The app must send each sign-in request to /oauth2/par first (RFC 9126). Not for a service or bot.",
			ZH: "应用必须先将每个登录请求发送到 /oauth2/par（RFC 9126）。不适用于服务或机器人。",
		},
		"portal.redirect_uris":          {EN: "Redirect URIs", ZH: "重定向 URI"},
		"portal.redirect_hint":          {EN: "One per line; not used by services.", ZH: "每行一个；服务或机器人无需填写。"},
		"portal.backchannel_logout_uri": {EN: "Back-channel logout URI", ZH: "后端通道登出 URI"},
		"portal.backchannel_logout_hint": {
			EN: "Optional. Where TokenIM Auth POSTs a logout token when a user of the app signs out (OpenID Connect Back-Channel Logout): https, or http on 127.0.0.1 for development.",
			ZH: "可选。用户退出登录时，TokenIM Auth 向此地址 POST 登出令牌（OpenID Connect 后端通道登出）：使用 https，开发时可使用 127.0.0.1 上的 http。",
		},
		"portal.scopes":              {EN: "Permissions the app asks for", ZH: "应用申请的权限"},
		"portal.scope_pending":       {EN: "awaiting an administrator's approval", ZH: "等待管理员审批"},
		"portal.scopes_service_hint": {EN: "A service or bot acts with no user to consent: the permissions it asks for take effect once an administrator approves them.", ZH: "服务或机器人代表自身操作，无需用户授权：其申请的权限经管理员审批后生效。"},
		"portal.create_submit":       {EN: "Create app", ZH: "创建应用"},
		"portal.save":                {EN: "Save changes", ZH: "保存修改"},
		"portal.back":                {EN: "Back to your apps", ZH: "返回我的应用"},
		"portal.delete_link":         {EN: "Delete this app", ZH: "删除此应用"},

		// Developer portal: an app's secrets.
		"portal.secrets_heading":      {EN: "Secrets (API keys)", ZH: "密钥（API Key）"},
		"portal.secret_col_prefix":    {EN: "Secret", ZH: "密钥"},
		"portal.secret_col_state":     {EN: "Status", ZH: "状态"},
		"portal.secret_col_created":   {EN: "Created", ZH: "创建时间"},
		"portal.secret_col_expires":   {EN: "Expires", ZH: "过期时间"},
		"portal.secret_col_last_used": {EN: "Last used", ZH: "最近使用"},
		"portal.secret_col_action":    {EN: "Action", ZH: "操作"},
		"portal.state_live":           {EN: "Active", ZH: "有效"},
		"portal.state_expiring":       {EN: "Expires soon", ZH: "即将过期"},
		"portal.state_expired":        {EN: "Expired", ZH: "已过期"},
		"portal.never_expires":        {EN: "Never", ZH: "永不过期"},
		"portal.never_used":           {EN: "Never", ZH: "从未使用"},
		"portal.revoke":               {EN: "Revoke", ZH: "撤销"},
		"portal.no_secrets":           {EN: "This app has no secret yet.", ZH: "该应用还没有密钥。"},
		"portal.rotate":               {EN: "Create a new secret", ZH: "创建新密钥"},
		"portal.rotate_note": {
			EN: "The current secret keeps working for a grace period, so you can switch without downtime.",
			ZH: "当前密钥在宽限期内仍可使用，您可以从容切换，服务不会中断。",
		},

		// Developer portal: a new secret, shown once.
		"portal.shown_created": {EN: "Your app is ready", ZH: "您的应用已创建"},
		"portal.shown_secret":  {EN: "Your new secret", ZH: "新密钥已创建"},
		"portal.app":           {EN: "App", ZH: "应用"},
		"portal.client_secret": {EN: "Client secret", ZH: "客户端密钥"},
		"portal.secret_warning": {
			EN: "Copy the secret now: it is shown only this once. TokenIM Auth keeps only a keyed hash of it.",
			ZH: "请立即复制此密钥，它只会显示这一次。TokenIM Auth 只保存它的 HMAC 哈希值，无法找回原文。",
		},
		"portal.no_secret_native": {
			EN: "Mobile and desktop apps have no secret: they sign people in with PKCE.",
			ZH: "移动或桌面应用没有密钥，通过 PKCE 让用户登录。",
		},
		"portal.go_to_app": {EN: "Go to the app’s settings", ZH: "前往应用设置"},

		// Developer portal: deleting an app.
		"portal.delete_title":   {EN: "Delete app", ZH: "删除应用"},
		"portal.delete_heading": {EN: "Delete %s?", ZH: "确定要删除 %s 吗？"},
		"portal.delete_text": {
			EN: "Every token issued to this app stops working at once, and everyone’s authorisation of it is removed. This cannot be undone.",
			ZH: "该应用的所有令牌将立即失效，所有用户对它的授权也将被移除。此操作无法撤销。",
		},
		"portal.delete_submit": {EN: "Delete app", ZH: "删除应用"},
		"portal.cancel":        {EN: "Cancel", ZH: "取消"},

		// Developer portal: what its handlers report.
		"portal.developers_only": {
			EN: "Only developers can register apps. Ask your administrator for the developer role.",
			ZH: "只有开发者可以注册应用。请联系管理员为您分配开发者角色。",
		},
		"portal.created": {EN: "Your app was created.", ZH: "应用已创建。"},
		"portal.saved":   {EN: "Your changes were saved.", ZH: "修改已保存。"},
		"portal.deleted": {
			EN: "The app was deleted: its tokens stopped working and everyone’s authorisation of it was removed.",
			ZH: "应用已删除，其令牌已全部失效，所有用户对它的授权也已移除。",
		},
		"portal.secret_revoked": {EN: "The secret was revoked: it stopped working at once.", ZH: "密钥已撤销，并已立即失效。"},
		"portal.name_required":  {EN: "Enter the app’s name, in at most 100 characters.", ZH: "请填写应用名称（不超过 100 个字符）。"},
		"portal.kind_invalid":   {EN: "Choose the type of app.", ZH: "请选择应用类型。"},
		"portal.logo_invalid":   {EN: "The logo URL must be an https address.", ZH: "Logo 地址必须是 https 地址。"},
		"portal.token_format_invalid": {
			EN: "Access tokens: choose Opaque or JWT.",
			ZH: "访问令牌：请选择“不透明令牌”或“JWT 令牌”。",
		},
		"portal.par_service": {
			EN: "Require pushed authorization requests: a service or bot makes no authorization requests, so it cannot require them.",
			ZH: "要求推送授权请求：服务或机器人不发起授权请求，因此不能要求推送授权请求。",
		},
		"portal.logout_uri_invalid": {
			EN: "%s is not an acceptable back-channel logout URI: use https (or http on 127.0.0.1 for development), with no fragment.",
			ZH: "%s 不是可接受的后端通道登出 URI。请使用 https（开发时可使用 127.0.0.1 上的 http），且不能带片段（#）。",
		},
		"portal.redirect_invalid": {
			EN: "%s is not an acceptable redirect URI: use https (or http on 127.0.0.1 for development), or a custom scheme for a mobile or desktop app.",
			ZH: "%s 不是可接受的重定向 URI。请使用 https（开发时可使用 127.0.0.1 上的 http）；移动或桌面应用也可使用自定义 URL 协议。",
		},
		"portal.origin_invalid": {
			EN: "%s is not an acceptable web origin: give it as https://host[:port] (or http on localhost for development), with no path and no wildcard.",
			ZH: "%s 不是可接受的网页来源。请填写 https 协议加主机名（可带端口；开发时可使用 localhost 上的 http），不能带路径或通配符。",
		},
		"portal.origins_not_for_kind": {
			EN: "Allowed web origins are for browser apps and web apps only: leave them empty for a mobile or desktop app or a service.",
			ZH: "允许的网页来源仅适用于浏览器应用和网页应用：移动或桌面应用以及服务请留空。",
		},
		"portal.reuse_window_invalid": {
			EN: "Refresh token reuse window: leave it empty for the provider’s default, or give a duration from 0s (off) to 1m, like 10s.",
			ZH: "刷新令牌复用窗口：留空使用服务默认值，或填写 0s（关闭）至 1m 之间的时长，例如 10s。",
		},
		"portal.redirect_required": {
			EN: "Web apps and mobile or desktop apps need at least one redirect URI.",
			ZH: "网页应用和移动或桌面应用至少需要填写一个重定向 URI。",
		},
		"portal.scope_not_offered": {
			EN: "You chose a permission that apps registered here cannot ask for.",
			ZH: "您选择的权限中包含此处注册的应用无法申请的权限。",
		},
		"portal.too_many_secrets": {
			EN: "This app already has two live secrets. Revoke one before creating another.",
			ZH: "该应用已有两个有效密钥，请先撤销其中一个，再创建新密钥。",
		},
		"portal.last_secret": {
			EN: "This is the app’s only live secret. Create a new one first, then revoke this one.",
			ZH: "这是该应用唯一有效的密钥。请先创建新密钥，再撤销此密钥。",
		},
		"portal.not_found": {
			EN: "This app or secret does not exist, or it is not one of yours.",
			ZH: "该应用或密钥不存在，或不属于您。",
		},

		// Admin console.
		"admin.skip":          {EN: "Skip to content", ZH: "跳到正文"},
		"admin.nav_label":     {EN: "Admin console", ZH: "管理控制台"},
		"admin.nav_records":   {EN: "Authorization records", ZH: "授权记录"},
		"admin.nav_users":     {EN: "Users", ZH: "用户"},
		"admin.nav_apps":      {EN: "Apps and permissions", ZH: "应用与权限"},
		"admin.nav_account":   {EN: "Your account", ZH: "我的账号"},
		"admin.records_title": {EN: "Authorization records", ZH: "授权记录"},
		"admin.records_intro": {
			EN: "Who got which permission, when, through which app, and who revoked it. Newest first.",
			ZH: "谁在何时通过哪个应用获得了哪些权限，又由谁撤销。按时间倒序排列。",
		},
		"admin.filter":         {EN: "Filter", ZH: "筛选"},
		"admin.filter_user":    {EN: "User (email or ID)", ZH: "用户（邮箱或 ID）"},
		"admin.filter_app":     {EN: "App (client ID)", ZH: "应用（客户端 ID）"},
		"admin.filter_action":  {EN: "Action", ZH: "操作"},
		"admin.filter_outcome": {EN: "Outcome", ZH: "结果"},
		"admin.filter_scope":   {EN: "Permission (scope)", ZH: "权限（scope）"},
		"admin.filter_from":    {EN: "From", ZH: "开始时间"},
		"admin.filter_to":      {EN: "Until", ZH: "结束时间"},
		"admin.time_hint": {
			EN: "Times in UTC, as 2026-11-25 or 2026-11-25T09:30. “From” is included, “Until” is not.",
			ZH: "时间为 UTC，可填日期（如 2026-11-25），或按输入框中的示例精确到分钟。包含开始时间，不包含结束时间。",
		},
		"admin.any":             {EN: "Any", ZH: "全部"},
		"admin.success":         {EN: "Succeeded", ZH: "成功"},
		"admin.failure":         {EN: "Failed", ZH: "失败"},
		"admin.apply":           {EN: "Apply filter", ZH: "筛选"},
		"admin.clear":           {EN: "Clear", ZH: "清除条件"},
		"admin.export_hint":     {EN: "Export every record matching this filter:", ZH: "导出符合当前条件的全部记录："},
		"admin.export_csv":      {EN: "Export CSV", ZH: "导出 CSV"},
		"admin.export_jsonl":    {EN: "Export JSON lines", ZH: "导出 JSON Lines"},
		"admin.records_caption": {EN: "Authorization records, newest first", ZH: "授权记录（按时间倒序）"},

		// The actions of authorization records (provider/audit), as the
		// records page names them: "admin.action." and the action.
		"admin.action.signin":                  {EN: "Sign-in", ZH: "登录"},
		"admin.action.signout":                 {EN: "Sign-out", ZH: "退出登录"},
		"admin.action.signout.all":             {EN: "Signed out everywhere", ZH: "退出所有设备"},
		"admin.action.lockout":                 {EN: "Sign-in locked", ZH: "登录锁定"},
		"admin.action.mfa.enrolled":            {EN: "Two-step verification on", ZH: "开启两步验证"},
		"admin.action.mfa.disabled":            {EN: "Two-step verification off", ZH: "关闭两步验证"},
		"admin.action.mfa.reset":               {EN: "Two-step verification reset", ZH: "重置两步验证"},
		"admin.action.consent.granted":         {EN: "Access granted", ZH: "授权应用"},
		"admin.action.consent.withdrawn":       {EN: "Access withdrawn", ZH: "撤销授权"},
		"admin.action.token.issued":            {EN: "Token issued", ZH: "签发令牌"},
		"admin.action.token.revoked":           {EN: "Token revoked", ZH: "撤销令牌"},
		"admin.action.token.refresh_reuse":     {EN: "Refresh token used again", ZH: "刷新令牌被重复使用"},
		"admin.action.app.created":             {EN: "App registered", ZH: "注册应用"},
		"admin.action.app.changed":             {EN: "App changed", ZH: "修改应用"},
		"admin.action.app.deleted":             {EN: "App deleted", ZH: "删除应用"},
		"admin.action.secret.created":          {EN: "Secret created", ZH: "创建密钥"},
		"admin.action.secret.rotated":          {EN: "Secret rotated", ZH: "轮换密钥"},
		"admin.action.secret.revoked":          {EN: "Secret revoked", ZH: "撤销密钥"},
		"admin.action.secret.expired":          {EN: "Secret expired", ZH: "密钥过期"},
		"admin.action.user.role_changed":       {EN: "Role changed", ZH: "修改角色"},
		"admin.action.user.created":            {EN: "User created", ZH: "创建用户"},
		"admin.action.user.activated":          {EN: "User activated", ZH: "激活账号"},
		"admin.action.user.disabled":           {EN: "User disabled", ZH: "停用用户"},
		"admin.action.user.enabled":            {EN: "User enabled", ZH: "启用用户"},
		"admin.action.user.password_reset":     {EN: "Password reset", ZH: "重置密码"},
		"admin.action.user.changed":            {EN: "User changed", ZH: "修改用户"},
		"admin.action.user.password_link_sent": {EN: "Password link sent", ZH: "发送设置密码链接"},
		"admin.action.audit.exported":          {EN: "Records exported", ZH: "导出授权记录"},
		"admin.action.logout.notified":         {EN: "App told of a sign-out", ZH: "已通知应用退出登录"},
		"admin.action.logout.failed":           {EN: "Sign-out notice failed", ZH: "退出登录通知失败"},

		"admin.col_time":        {EN: "Time", ZH: "时间"},
		"admin.col_action":      {EN: "Action", ZH: "操作"},
		"admin.col_outcome":     {EN: "Outcome", ZH: "结果"},
		"admin.col_actor":       {EN: "By", ZH: "操作者"},
		"admin.col_user":        {EN: "User", ZH: "用户"},
		"admin.col_app":         {EN: "App", ZH: "应用"},
		"admin.col_scopes":      {EN: "Permissions", ZH: "权限"},
		"admin.col_request":     {EN: "IP, browser, request ID", ZH: "IP、浏览器、请求 ID"},
		"admin.actor_user":      {EN: "User", ZH: "用户"},
		"admin.actor_client":    {EN: "App", ZH: "应用"},
		"admin.actor_cli":       {EN: "Command line", ZH: "命令行"},
		"admin.actor_system":    {EN: "System", ZH: "系统"},
		"admin.actor_anonymous": {EN: "Not signed in", ZH: "未登录"},
		"admin.no_records":      {EN: "No record matches this filter.", ZH: "没有符合条件的记录。"},
		"admin.pages":           {EN: "Pages", ZH: "翻页"},
		"admin.newest":          {EN: "Newest", ZH: "回到最新"},
		"admin.older":           {EN: "Older", ZH: "更早"},
		"admin.more":            {EN: "More", ZH: "更多"},
		"admin.records_link":    {EN: "Records", ZH: "记录"},

		"admin.users_title":     {EN: "Users", ZH: "用户"},
		"admin.users_query":     {EN: "Email or user ID", ZH: "邮箱或用户 ID"},
		"admin.users_hint":      {EN: "The start of an email address, or a whole user ID.", ZH: "输入邮箱开头部分，或完整的用户 ID。"},
		"admin.search":          {EN: "Search", ZH: "搜索"},
		"admin.users_caption":   {EN: "Users found", ZH: "搜索结果"},
		"admin.users_none":      {EN: "No user matches.", ZH: "没有找到匹配的用户。"},
		"admin.col_email":       {EN: "Email", ZH: "邮箱"},
		"admin.col_name":        {EN: "Name", ZH: "名称"},
		"admin.col_role":        {EN: "Role", ZH: "角色"},
		"admin.col_status":      {EN: "Status", ZH: "状态"},
		"admin.col_mfa":         {EN: "Two-step verification", ZH: "两步验证"},
		"admin.col_created":     {EN: "Created", ZH: "创建时间"},
		"admin.status_active":   {EN: "Active", ZH: "正常"},
		"admin.status_disabled": {EN: "Disabled", ZH: "已停用"},
		"admin.status_pending":  {EN: "Not activated", ZH: "未激活"},
		"admin.on":              {EN: "On", ZH: "已开启"},
		"admin.off":             {EN: "Off", ZH: "未开启"},
		"admin.never":           {EN: "Never", ZH: "从不"},

		"admin.user_title":           {EN: "User", ZH: "用户详情"},
		"admin.user_id":              {EN: "User ID", ZH: "用户 ID"},
		"admin.mfa_required_by_role": {EN: "(required by the role)", ZH: "（该角色必须开启）"},
		"admin.user_records":         {EN: "This user’s authorization records", ZH: "查看该用户的授权记录"},
		"admin.user_grants":          {EN: "Apps this user authorised", ZH: "已授权的应用"},
		"admin.user_grants_caption":  {EN: "Apps this user authorised, with their permissions", ZH: "该用户授权的应用及权限"},
		"admin.user_no_grants":       {EN: "This user has not authorised any app.", ZH: "该用户尚未授权任何应用。"},
		"admin.col_granted":          {EN: "Granted", ZH: "授权时间"},
		"admin.col_expires":          {EN: "Expires", ZH: "过期时间"},
		"admin.col_last_used":        {EN: "Last used", ZH: "最近使用"},
		"admin.col_actions":          {EN: "Actions", ZH: "操作"},
		"admin.revoke_grant":         {EN: "Revoke…", ZH: "撤销授权…"},
		"admin.changes":              {EN: "Change this account", ZH: "账号操作"},
		"admin.change_role":          {EN: "Change role…", ZH: "修改角色…"},
		"admin.disable_user":         {EN: "Disable account…", ZH: "停用账号…"},
		"admin.enable_user":          {EN: "Enable account…", ZH: "启用账号…"},
		"admin.activate_user":        {EN: "Activate account…", ZH: "激活账号…"},
		"admin.reset_mfa":            {EN: "Reset two-step verification…", ZH: "重置两步验证…"},
		"admin.signout_all":          {EN: "Sign out everywhere…", ZH: "退出所有设备…"},

		"admin.apps_title":           {EN: "Apps and permissions", ZH: "应用与权限"},
		"admin.apps_caption":         {EN: "Every registered app", ZH: "全部已注册应用"},
		"admin.apps_none":            {EN: "No app is registered.", ZH: "尚无已注册的应用。"},
		"admin.col_client_id":        {EN: "Client ID", ZH: "客户端 ID"},
		"admin.col_type":             {EN: "Type", ZH: "类型"},
		"admin.type_confidential":    {EN: "Confidential (keeps a secret)", ZH: "机密应用（持有密钥）"},
		"admin.type_public":          {EN: "Public (no secret)", ZH: "公开应用（无密钥）"},
		"admin.type_resource_server": {EN: "Resource server", ZH: "资源服务器"},
		"admin.pending_scopes":       {EN: "%d permissions awaiting approval", ZH: "%d 项权限待审批"},
		"admin.scope_lookup":         {EN: "Who holds the permission", ZH: "查看持有该权限的授权"},
		"admin.scope_show":           {EN: "Show grants", ZH: "查看"},
		"admin.app_title":            {EN: "App", ZH: "应用详情"},
		"admin.grant_types":          {EN: "Grant types", ZH: "授权类型"},
		"admin.owner":                {EN: "Registered by", ZH: "注册人"},
		"admin.owner_none":           {EN: "An administrator", ZH: "管理员"},
		"admin.app_records":          {EN: "This app’s authorization records", ZH: "查看该应用的授权记录"},
		"admin.app_scopes":           {EN: "Permissions", ZH: "权限"},
		"admin.app_scopes_legend":    {EN: "Permissions the app may obtain", ZH: "该应用可获取的权限"},
		"admin.requested":            {EN: "requested, awaiting approval", ZH: "已申请，待审批"},
		"admin.review_scopes":        {EN: "Review the change…", ZH: "确认修改…"},
		"admin.token_settings":       {EN: "Tokens", ZH: "令牌"},
		"admin.par":                  {EN: "Pushed authorization requests", ZH: "推送授权请求"},
		"admin.par_required":         {EN: "Required", ZH: "必须推送"},
		"admin.par_not_required":     {EN: "Not required", ZH: "不要求"},
		"admin.require_par_hint": {
			EN: "The app must send each authorization request to /oauth2/par first (RFC 9126); one sent directly is refused.",
			ZH: "应用必须先将每个授权请求发送到 /oauth2/par（RFC 9126）；直接发送的请求将被拒绝。",
		},
		"admin.par_not_applicable": {
			EN: "This app does not use the authorization code grant, so it makes no authorization requests to push.",
			ZH: "该应用不使用授权码模式，不发起授权请求，因此无需推送。",
		},
		"admin.allowed_origins": {EN: "Allowed web origins", ZH: "允许的网页来源"},
		"admin.allowed_origins_hint": {
			EN: "Origins a browser may call the token, userinfo and revocation endpoints from for this app (CORS), one per line: https://host[:port], or http on localhost for development. No path, no wildcard. A public app is also called from its redirect URIs' origins; one that lists origins is a browser app, whose sign-ins end within a day.",
			ZH: "浏览器可从这些来源为该应用调用令牌、用户信息和撤销端点（CORS），每行一个：https 协议加主机名（可带端口），开发时可使用 localhost 上的 http。不含路径，不支持通配符。公开应用还可从其重定向 URI 的来源调用；列出来源的公开应用即浏览器应用，其登录状态最长保持一天。",
		},
		"admin.origins_none":         {EN: "None listed", ZH: "未设置"},
		"admin.reuse_window":         {EN: "Refresh token reuse window", ZH: "刷新令牌复用窗口"},
		"admin.reuse_window_default": {EN: "The provider’s default", ZH: "使用服务默认值"},
		"admin.reuse_window_hint": {
			EN: "How long after a refresh token is rotated the same token still gets new tokens (parallel refreshes, a retry after a lost response): from 0s (off) to 1m, like 10s. Leave empty for the provider’s default.",
			ZH: "刷新令牌轮换后，在多长时间内再次使用同一令牌仍可获得新令牌（并行刷新、响应丢失后的重试）：0s（关闭）至 1m，例如 10s。留空则使用服务默认值。",
		},
		"admin.secrets":            {EN: "Secrets", ZH: "密钥"},
		"admin.secrets_caption":    {EN: "The app’s secrets (never shown again after creation)", ZH: "该应用的密钥（创建后不再显示原文）"},
		"admin.secrets_none":       {EN: "This app has no secret.", ZH: "该应用没有密钥。"},
		"admin.col_secret":         {EN: "Secret", ZH: "密钥"},
		"admin.col_state":          {EN: "State", ZH: "状态"},
		"admin.secret_live":        {EN: "Live", ZH: "有效"},
		"admin.secret_expiring":    {EN: "Expires soon", ZH: "即将过期"},
		"admin.secret_expired":     {EN: "Expired", ZH: "已过期"},
		"admin.revoke_secret":      {EN: "Revoke…", ZH: "撤销…"},
		"admin.rotate_secret":      {EN: "Create a new secret…", ZH: "创建新密钥…"},
		"admin.new_secret":         {EN: "New secret", ZH: "新密钥"},
		"admin.app_grants":         {EN: "Users who authorised this app", ZH: "授权了该应用的用户"},
		"admin.app_grants_caption": {EN: "Users who authorised this app, with their permissions", ZH: "授权了该应用的用户及权限"},
		"admin.app_no_grants":      {EN: "No user has authorised this app.", ZH: "还没有用户授权该应用。"},

		"admin.scope_title":   {EN: "Who holds a permission", ZH: "权限持有情况"},
		"admin.scope_heading": {EN: "Who holds %s", ZH: "持有 %s 的授权"},
		"admin.scope_intro":   {EN: "Every live grant that includes this permission.", ZH: "包含此权限的全部有效授权。"},
		"admin.scope_caption": {EN: "Live grants holding this permission", ZH: "持有此权限的有效授权"},
		"admin.scope_none":    {EN: "No live grant holds this permission.", ZH: "目前没有包含此权限的有效授权。"},
		"admin.scope_records": {EN: "Records about this permission", ZH: "查看与此权限相关的记录"},

		"admin.confirm_title":        {EN: "Confirm", ZH: "确认操作"},
		"admin.confirm_role_heading": {EN: "Change the role of %s?", ZH: "确定要修改 %s 的角色吗？"},
		"admin.confirm_role_text": {
			EN: "The account gets the role below. Tokens holding permissions the new role does not allow are revoked at once.",
			ZH: "该账号的角色将改为下方所示。超出新角色权限范围的令牌将立即撤销。",
		},
		"admin.confirm_disable_heading": {EN: "Disable %s?", ZH: "确定要停用 %s 吗？"},
		"admin.confirm_disable_text": {
			EN: "The user is signed out everywhere, every token issued for them is revoked, and they cannot sign in until an administrator enables the account again.",
			ZH: "该用户将在所有设备上退出登录，其全部令牌将被撤销；在管理员重新启用前无法登录。",
		},
		"admin.confirm_enable_heading": {EN: "Enable %s?", ZH: "确定要启用 %s 吗？"},
		"admin.confirm_enable_text": {
			EN: "The user can sign in again. Sessions and tokens revoked earlier stay revoked.",
			ZH: "该用户将可以重新登录。之前已撤销的会话和令牌不会恢复。",
		},
		"admin.confirm_reset_mfa_heading": {EN: "Reset two-step verification for %s?", ZH: "确定要重置 %s 的两步验证吗？"},
		"admin.confirm_reset_mfa_text": {
			EN: "Their authenticator app stops working for this account and their recovery codes are deleted. If their role requires two-step verification, they must set it up again at their next sign-in.",
			ZH: "其身份验证器将不再适用于该账号，恢复码也将被删除。如果其角色要求两步验证，下次登录时须重新设置。",
		},
		"admin.confirm_signout_heading": {EN: "Sign %s out everywhere?", ZH: "确定要让 %s 退出所有设备吗？"},
		"admin.confirm_signout_text": {
			EN: "Every browser session ends and every token issued for them is revoked: apps must ask them to sign in again.",
			ZH: "所有浏览器会话将立即结束，其全部令牌将被撤销，各应用需要其重新登录。",
		},
		"admin.confirm_scopes_heading":  {EN: "Change the permissions of %s?", ZH: "确定要修改 %s 的权限吗？"},
		"admin.confirm_options_heading": {EN: "Change the token settings of %s?", ZH: "确定要修改 %s 的令牌设置吗？"},
		"admin.confirm_options_text": {
			EN: "The app will have the settings listed below. A new access token format applies to tokens issued from now on; tokens already issued keep working until they expire.",
			ZH: "修改后，该应用将使用下方列出的设置。新的访问令牌格式仅适用于此后签发的令牌；已签发的令牌在过期前仍然有效。",
		},
		"admin.confirm_scopes_text": {
			EN: "The app may then obtain exactly the permissions listed below (none if the list is empty); requested ones among them are approved.",
			ZH: "修改后，该应用只能获取下方列出的权限（列表为空则没有任何权限）；其中已申请的权限将获得批准。",
		},
		"admin.confirm_rotate_heading": {EN: "Create a new secret for %s?", ZH: "确定要为 %s 创建新密钥吗？"},
		"admin.confirm_rotate_text": {
			EN: "The new secret is shown once. The current secret keeps working for the grace period, then stops.",
			ZH: "新密钥只显示一次。当前密钥在宽限期内仍然有效，之后失效。",
		},
		"admin.confirm_revoke_secret_heading": {EN: "Revoke the secret %s…?", ZH: "确定要撤销密钥 %s… 吗？"},
		"admin.confirm_revoke_secret_text": {
			EN: "The secret stops working at once: whatever still uses it can no longer get tokens.",
			ZH: "该密钥将立即失效，仍在使用它的服务将无法再获取令牌。",
		},
		"admin.confirm_revoke_grant_heading": {EN: "Revoke the authorisation of %s?", ZH: "确定要撤销 %s 的授权吗？"},
		"admin.confirm_revoke_grant_text": {
			EN: "The user’s consent is withdrawn and every token the app holds for them is revoked at once. The app must ask for consent again.",
			ZH: "该用户的授权将被撤回，应用持有的该用户的全部令牌将立即失效。应用需要重新请求授权。",
		},
		"admin.submit_role":          {EN: "Change role", ZH: "修改角色"},
		"admin.submit_disable":       {EN: "Disable account", ZH: "停用账号"},
		"admin.submit_enable":        {EN: "Enable account", ZH: "启用账号"},
		"admin.submit_reset_mfa":     {EN: "Reset two-step verification", ZH: "重置两步验证"},
		"admin.submit_signout":       {EN: "Sign out everywhere", ZH: "退出所有设备"},
		"admin.submit_scopes":        {EN: "Save permissions", ZH: "保存权限"},
		"admin.submit_options":       {EN: "Save token settings", ZH: "保存令牌设置"},
		"admin.submit_rotate":        {EN: "Create secret", ZH: "创建密钥"},
		"admin.submit_revoke_secret": {EN: "Revoke secret", ZH: "撤销密钥"},
		"admin.submit_revoke_grant":  {EN: "Revoke authorisation", ZH: "撤销授权"},

		"admin.app_disabled":                {EN: "Disabled", ZH: "已停用"},
		"admin.disable_app":                 {EN: "Disable app…", ZH: "停用应用…"},
		"admin.enable_app":                  {EN: "Enable app…", ZH: "启用应用…"},
		"admin.confirm_disable_app_heading": {EN: "Disable %s?", ZH: "确定要停用 %s 吗？"},
		"admin.confirm_disable_app_text": {
			EN: "The app can no longer sign anyone in or get tokens, and the tokens it holds stop working, until an administrator enables it again. Users’ authorisations are kept.",
			ZH: "该应用将无法再让用户登录或获取令牌，其持有的令牌也将失效，直到管理员重新启用。用户的授权会保留。",
		},
		"admin.confirm_enable_app_heading": {EN: "Enable %s?", ZH: "确定要启用 %s 吗？"},
		"admin.confirm_enable_app_text": {
			EN: "The app can sign people in and get tokens again; its unexpired tokens work again.",
			ZH: "该应用将可以重新让用户登录并获取令牌，其未过期的令牌也将恢复有效。",
		},
		"admin.submit_disable_app":    {EN: "Disable app", ZH: "停用应用"},
		"admin.submit_enable_app":     {EN: "Enable app", ZH: "启用应用"},
		"admin.notice_app_disabled":   {EN: "The app was disabled: it can no longer get tokens, and its tokens stopped working.", ZH: "应用已停用，无法再获取令牌，其令牌已失效。"},
		"admin.notice_app_enabled":    {EN: "The app was enabled.", ZH: "应用已启用。"},
		"admin.notice_role":           {EN: "The role was changed.", ZH: "角色已修改。"},
		"admin.notice_disabled":       {EN: "The account was disabled: the user was signed out everywhere and their tokens were revoked.", ZH: "账号已停用，该用户已在所有设备上退出，其令牌已全部撤销。"},
		"admin.notice_enabled":        {EN: "The account was enabled.", ZH: "账号已启用。"},
		"admin.notice_mfa_reset":      {EN: "Two-step verification was reset.", ZH: "两步验证已重置。"},
		"admin.notice_signed_out":     {EN: "The user was signed out everywhere and their tokens were revoked.", ZH: "该用户已在所有设备上退出，其令牌已全部撤销。"},
		"admin.notice_scopes":         {EN: "The app’s permissions were saved.", ZH: "应用权限已保存。"},
		"admin.notice_options":        {EN: "The app’s token settings were saved.", ZH: "应用的令牌设置已保存。"},
		"admin.notice_secret_rotated": {EN: "A new secret was created.", ZH: "新密钥已创建。"},
		"admin.notice_secret_revoked": {EN: "The secret was revoked: it stopped working at once.", ZH: "密钥已撤销，并已立即失效。"},
		"admin.notice_grant_revoked":  {EN: "The authorisation was revoked and its tokens stopped working.", ZH: "授权已撤销，相关令牌已失效。"},
		"admin.error_filter": {
			EN: "A time in the filter could not be read: use 2026-11-25 or 2026-11-25T09:30 (UTC).",
			ZH: "筛选条件中的时间格式不正确，请填写日期（如 2026-11-25），或按输入框中的示例精确到分钟（UTC）。",
		},
		"admin.error_unknown_role":  {EN: "There is no such role.", ZH: "该角色不存在。"},
		"admin.error_unknown_scope": {EN: "One of the permissions is not in the catalogue.", ZH: "所选权限中有不在权限目录内的项。"},
		"admin.error_admin_scope_owned": {
			EN: "The admin permission is never given to an app a developer registered: its developer holds its secret.",
			ZH: "开发者注册的应用不能获得管理权限：该应用的密钥由开发者持有。",
		},
		"admin.error_token_format": {EN: "Access tokens: choose Opaque or JWT.", ZH: "访问令牌：请选择“不透明令牌”或“JWT 令牌”。"},
		"admin.error_origin": {
			EN: "Allowed web origins: give each as https://host[:port] (or http on localhost), with no path, query or wildcard.",
			ZH: "允许的网页来源：每个来源须为 https 协议加主机名（可带端口），或 localhost 上的 http，不含路径、查询参数或通配符。",
		},
		"admin.error_reuse_window": {
			EN: "Refresh token reuse window: leave it empty for the provider’s default, or give a duration from 0s (off) to 1m, like 10s.",
			ZH: "刷新令牌复用窗口：留空使用服务默认值，或填写 0s（关闭）至 1m 之间的时长，例如 10s。",
		},
		"admin.error_par_needs_code": {
			EN: "Pushed authorization requests: this app does not use the authorization code grant, so it cannot require them.",
			ZH: "推送授权请求：该应用不使用授权码模式，因此不能要求推送授权请求。",
		},
		"admin.error_last_secret": {
			EN: "This is the app’s only live secret. Create a new one first, then revoke this one.",
			ZH: "这是该应用唯一有效的密钥。请先创建新密钥，再撤销此密钥。",
		},
		"admin.error_too_many_secrets": {
			EN: "This app already has two live secrets. Revoke one before creating another.",
			ZH: "该应用已有两个有效密钥，请先撤销其中一个，再创建新密钥。",
		},
		"admin.error_no_secrets": {EN: "This app authenticates without a secret.", ZH: "该应用不使用密钥进行认证。"},
		"admin.not_found":        {EN: "There is no such user, app, secret or authorisation.", ZH: "该用户、应用、密钥或授权不存在。"},
		"admin.forbidden": {
			EN: "The admin console is for administrators only.",
			ZH: "管理控制台仅限管理员使用。",
		},
		"admin.mfa_required": {
			EN: "The admin console needs a sign-in with two-step verification. Set it up on your account page if you have not, then sign out and sign in again with your code.",
			ZH: "进入管理控制台需要通过两步验证登录。如尚未开启，请先在账号页面设置，然后退出并使用验证码重新登录。",
		},
	}
}
