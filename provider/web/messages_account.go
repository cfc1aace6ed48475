package web

import "github.com/tokenim/tokenim-auth/provider/i18n"

// accountMessages returns the messages of the account page.
func accountMessages() i18n.Catalogue {
	return i18n.Catalogue{
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
		"account.recovery_left_one": {EN: "You have 1 unused recovery code left.", ZH: "您还有 1 个未使用的恢复码。"},
		"account.recovery_left":     {EN: "You have %d unused recovery codes left.", ZH: "您还有 %d 个未使用的恢复码。"},
		"account.recovery_renew_intro": {
			EN: "Making a new set voids every code you have now. Enter a code from your authenticator app to confirm.",
			ZH: "生成新的恢复码后，现有的恢复码将全部失效。请输入身份验证器应用中的验证码以确认。",
		},
		"account.recovery_renew":    {EN: "Make new recovery codes", ZH: "重新生成恢复码"},
		"account.sessions_heading":  {EN: "Where you’re signed in", ZH: "登录设备"},
		"account.session_device":    {EN: "Device", ZH: "设备"},
		"account.session_ip":        {EN: "IP address", ZH: "IP 地址"},
		"account.session_signed_in": {EN: "Signed in", ZH: "登录时间"},
		"account.session_current":   {EN: "This device", ZH: "当前设备"},
		"account.session_signout":   {EN: "Sign out", ZH: "退出登录"},
		"account.device_on":         {EN: "%s on %s", ZH: "%[2]s 上的 %[1]s"},
		"account.session_action":    {EN: "Action", ZH: "操作"},
		"account.unknown_device":    {EN: "Unknown device", ZH: "未知设备"},
		"account.signout_all_note": {
			EN: "Signing out everywhere ends every session except this one.",
			ZH: "这将使您在其他所有设备上退出登录，当前设备仍保持登录。",
		},
		"account.signout_all":     {EN: "Sign out everywhere", ZH: "退出其他所有设备"},
		"sessions.signed_out_one": {EN: "That device is signed out.", ZH: "该设备已退出登录。"},
		"sessions.unknown":        {EN: "That sign-in has already ended.", ZH: "该登录已结束。"},
		"sessions.signed_out": {
			EN: "You were signed out everywhere else.",
			ZH: "您已在其他所有设备上退出登录。",
		},
	}
}
