package web

import "github.com/tokenim/tokenim-auth/provider/i18n"

// signInMessages returns the messages of sign-in and its second step, registration and activation, forgotten and new passwords, and signing out.
func signInMessages() i18n.Catalogue {
	return i18n.Catalogue{
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
		// Signing in through an upstream identity provider; %s is the
		// provider's display name in the page's language.
		"upstream.signin": {EN: "Sign in with %s", ZH: "使用 %s 登录"},
		"upstream.title":  {EN: "Sign-in not completed", ZH: "登录未完成"},
		"upstream.unavailable": {
			EN: "%s could not be reached. Try again in a few minutes, or sign in another way.",
			ZH: "暂时无法连接 %s，请几分钟后重试，或使用其他方式登录。",
		},
		"upstream.refused": {
			EN: "%s did not confirm who you are, so you are not signed in. Try again, or sign in another way.",
			ZH: "%s 未能确认您的身份，因此未能登录。请重试，或使用其他方式登录。",
		},
		"upstream.state_lost": {
			EN: "This sign-in could not be finished: it took too long, or it was started in another browser. Start again from the sign-in page.",
			ZH: "无法完成本次登录：耗时过长，或登录是在其他浏览器中发起的。请回到登录页重新开始。",
		},
		"upstream.email_taken": {
			EN: "An account with the email address %s already exists, and this identity provider is not linked to it. Sign in with your password or passkey as usual, then link it from your account page.",
			ZH: "邮箱 %s 已有账号，但该账号未关联此身份提供方。请照常使用密码或通行密钥登录，再在账号页面关联它。",
		},
		// Linking an upstream identity from the account page; %s is the
		// provider's name.
		"upstream.link_title": {EN: "Sign-in provider not linked", ZH: "未能关联登录方式"},
		"upstream.link_session": {
			EN: "Your %s identity was not linked: you are no longer signed in as the account that asked. Sign in and try again from your account page.",
			ZH: "未关联您的 %s 身份：您已不再以发起关联的账号登录。请登录后在账号页面重试。",
		},
		"upstream.link_already": {
			EN: "This %s identity is linked to your account already.",
			ZH: "该 %s 身份已关联到您的账号。",
		},
		"upstream.link_taken": {
			EN: "This identity is linked to another account, or your account has another %s identity linked already. Unlink that one first.",
			ZH: "该身份已关联到其他账号，或您的账号已关联了另一个 %s 身份。请先取消那个关联。",
		},
		// Single sign-on by email domain (home-realm discovery).
		"login.sso": {EN: "Use single sign-on", ZH: "使用单点登录"},
		"login.sso_email": {
			EN: "Enter your work email address to use single sign-on.",
			ZH: "请输入您的工作邮箱以使用单点登录。",
		},
		"login.sso_unknown": {
			EN: "No single sign-on is set up for %s. Sign in with your password, or ask your administrator.",
			ZH: "%s 未设置单点登录。请使用密码登录，或联系管理员。",
		},
		// A directory connector's (LDAP, Active Directory) own sign-in
		// page; %s is its name.
		"directory.title":        {EN: "Sign in with %s", ZH: "使用 %s 登录"},
		"directory.heading":      {EN: "Sign in with %s", ZH: "使用 %s 登录"},
		"directory.link_heading": {EN: "Link your %s account", ZH: "关联您的 %s 账号"},
		"directory.intro": {
			EN: "Enter the user name and password of your %s account. Your password is checked by the directory and never stored here.",
			ZH: "请输入您的 %s 账号的用户名和密码。密码由目录服务验证，本站不会保存。",
		},
		"directory.username":    {EN: "User name", ZH: "用户名"},
		"directory.password":    {EN: "Password", ZH: "密码"},
		"directory.submit":      {EN: "Sign in", ZH: "登录"},
		"directory.link_submit": {EN: "Link account", ZH: "关联账号"},
		"directory.back":        {EN: "Back", ZH: "返回"},
		"directory.invalid":     {EN: "Wrong user name or password.", ZH: "用户名或密码错误。"},
		"directory.required":    {EN: "Enter your user name and password.", ZH: "请输入用户名和密码。"},
		"upstream.no_account": {
			EN: "No account is linked to your %s identity, and none can be created through it. Sign in another way, or ask your administrator.",
			ZH: "您的 %s 身份未关联任何账号，也无法通过它创建账号。请使用其他方式登录，或联系管理员。",
		},
		"upstream.email_unverified": {
			EN: "%s did not confirm your email address, so no account can be created with it. Ask your administrator for access.",
			ZH: "%s 未确认您的邮箱地址，因此无法用它创建账号。请联系管理员开通。",
		},

		// Second step of sign-in.
		"mfa.title":        {EN: "Two-step verification", ZH: "两步验证"},
		"mfa.heading":      {EN: "Two-step verification", ZH: "两步验证"},
		"mfa.intro":        {EN: "Enter the 6-digit code from your authenticator app.", ZH: "请输入身份验证器应用中显示的 6 位验证码。"},
		"mfa.code":         {EN: "Verification code", ZH: "验证码"},
		"mfa.submit":       {EN: "Verify", ZH: "验证"},
		"mfa.use_app":      {EN: "Use your authenticator app instead", ZH: "改用身份验证器应用"},
		"mfa.use_recovery": {EN: "Use a recovery code instead", ZH: "改用恢复码"},
		"mfa.intro_either": {
			EN: "Use one of your passkeys, or enter the 6-digit code from your authenticator app.",
			ZH: "请使用您的通行密钥，或输入身份验证器应用中显示的 6 位验证码。",
		},
		"mfa.intro_passkey": {EN: "Confirm it is you with one of your passkeys.", ZH: "请使用您的通行密钥确认身份。"},
		"mfa.use_passkey":   {EN: "Use a passkey", ZH: "使用通行密钥"},
		"mfa.account":       {EN: "Go to your account", ZH: "前往账号页面"},
		"mfa.need_passkey": {
			EN: "This app asks you to confirm with a passkey, and your account has none yet. Add one on your account page, then try again.",
			ZH: "此应用要求使用通行密钥确认身份，而您的账号尚未添加通行密钥。请先在账号页面添加，然后重试。",
		},
		"mfa.need_setup": {
			EN: "This app asks for two-step verification, which your account does not have yet. Set it up on your account page (an authenticator app or a passkey), then try again.",
			ZH: "此应用要求两步验证，而您的账号尚未设置。请先在账号页面设置（身份验证器应用或通行密钥），然后重试。",
		},
		// Passkeys at sign-in.
		"passkey.or":          {EN: "or", ZH: "或"},
		"passkey.signin":      {EN: "Sign in with a passkey", ZH: "使用通行密钥登录"},
		"passkey.unsupported": {EN: "This browser cannot use passkeys.", ZH: "此浏览器无法使用通行密钥。"},
		"passkey.failed": {
			EN: "The passkey was not used. Try again, or use another way to sign in.",
			ZH: "未使用通行密钥。请重试，或改用其他方式登录。",
		},
		"passkey.expired": {EN: "That took too long, or was already used. Try again.", ZH: "操作超时或已使用，请重试。"},
		"passkey.refused": {
			EN: "That passkey could not be verified. Try again, or use another way to sign in.",
			ZH: "无法验证该通行密钥。请重试，或改用其他方式登录。",
		},
		"passkey.unknown": {
			EN: "This passkey is not registered to a TokenIM account (it may have been removed). Sign in another way.",
			ZH: "该通行密钥未绑定任何 TokenIM 账号（可能已被删除）。请改用其他方式登录。",
		},
		"passkey.wrong_origin": {
			EN: "This passkey was used on a page that is not TokenIM's sign-in page, so it was refused. Check the address bar and sign in from TokenIM's own page.",
			ZH: "该通行密钥是在非 TokenIM 登录页面上使用的，已被拒绝。请检查地址栏，并在 TokenIM 的官方页面登录。",
		},
		"passkey.cloned": {
			EN: "This passkey was refused: it looks like a copy of the original. Sign in another way, then check your passkeys on your account page.",
			ZH: "该通行密钥已被拒绝：它疑似原密钥的副本。请改用其他方式登录，然后在账号页面检查您的通行密钥。",
		},
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
		"mfa.enrolled":         {EN: "Two-step verification is on.", ZH: "两步验证已开启。"},
		"mfa.disabled":         {EN: "Two-step verification is off.", ZH: "两步验证已关闭。"},
		"mfa.recovery_renewed": {EN: "New recovery codes are ready: the old ones no longer work.", ZH: "新的恢复码已生成：旧的恢复码已失效。"},
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
			EN: "This activation link has expired or was already used. If your account still needs activating, enter your email address to get a new link.",
			ZH: "此激活链接已过期或已被使用。如果您的账号仍待激活，请输入邮箱地址以重新获取激活链接。",
		},
		"activate.expired_signin": {EN: "Already activated? Sign in", ZH: "已激活？前往登录"},
		// An emailed link's page, when the link is unknown, expired or
		// already used (reset and activation alike).
		"link.expired_title":   {EN: "Link no longer valid", ZH: "链接已失效"},
		"link.expired_heading": {EN: "This link can no longer be used", ZH: "此链接已无法使用"},
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
			EN: "This reset link has expired or was already used. Enter your email address to get a new one.",
			ZH: "此重置链接已过期或已被使用。请输入您的邮箱地址以重新获取。",
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
	}
}
