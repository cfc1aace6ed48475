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
		"account.session_ip":        {EN: "Address", ZH: "IP 地址"},
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
		// Passkeys: the account page's section, its confirmation step, and
		// the texts of the form the browser's script adds a passkey with.
		"account.passkeys_heading": {EN: "Passkeys", ZH: "通行密钥"},
		"account.passkeys_none": {
			EN: "You have no passkeys yet. A passkey lets you sign in without a password, with your device’s screen lock: your fingerprint, face or PIN.",
			ZH: "您还没有通行密钥。有了通行密钥，无需输入密码，用设备的屏幕锁（指纹、面容或锁屏密码）即可登录。",
		},
		"account.passkey_synced":         {EN: "Synced across your devices", ZH: "在您的多台设备间同步"},
		"account.passkey_one_device":     {EN: "Kept on one device", ZH: "仅保存在一台设备上"},
		"account.passkey_kind":           {EN: "Where it is kept", ZH: "保存方式"},
		"account.passkey_added":          {EN: "Added", ZH: "添加时间"},
		"account.passkey_last_used":      {EN: "Last used", ZH: "上次使用"},
		"account.passkey_never_used":     {EN: "Never", ZH: "从未使用"},
		"account.passkey_new_name":       {EN: "New name for %s", ZH: "%s 的新名称"},
		"account.passkey_rename":         {EN: "Rename", ZH: "重命名"},
		"account.passkey_remove":         {EN: "Remove", ZH: "移除"},
		"account.passkey_remove_title":   {EN: "Remove passkey", ZH: "移除通行密钥"},
		"account.passkey_remove_heading": {EN: "Remove the passkey “%s”?", ZH: "移除通行密钥“%s”？"},
		"account.passkey_remove_text": {
			EN: "You will no longer be able to sign in with it. It may stay on your device or in your password manager: delete it there too.",
			ZH: "移除后将无法再用它登录。它可能仍保存在您的设备或密码管理器中，请在那里一并删除。",
		},
		"account.passkey_remove_last": {
			EN: "This is your only passkey. Once it is removed, you will sign in with your password.",
			ZH: "这是您唯一的通行密钥。移除后，您需要使用密码登录。",
		},
		"account.passkey_remove_last_mfa": {
			EN: "This is your only passkey. Once it is removed, you will sign in with your password and a code from your authenticator app.",
			ZH: "这是您唯一的通行密钥。移除后，您需要使用密码和身份验证器应用中的验证码登录。",
		},
		"passkeys.add":        {EN: "Add a passkey", ZH: "添加通行密钥"},
		"passkeys.name_label": {EN: "Name for the new passkey", ZH: "新通行密钥的名称"},
		"passkeys.unsupported": {
			EN: "Adding a passkey needs a browser that supports passkeys, with JavaScript turned on.",
			ZH: "添加通行密钥需要使用支持通行密钥的浏览器，并允许网页运行脚本。",
		},
		"passkeys.failed": {
			EN: "The passkey was not added. Try again, or use another device.",
			ZH: "未能添加通行密钥。请重试，或换一台设备。",
		},
		"passkeys.added": {EN: "Passkey added. You can now sign in with it.", ZH: "通行密钥已添加，现在可以用它登录了。"},
		"passkeys.off": {
			EN: "Passkeys are not available on this server: browsers offer them only on a host name over HTTPS (or http://localhost). Ask your administrator.",
			ZH: "此服务器暂不支持通行密钥：浏览器仅在使用 https 的域名（或本机 localhost）上提供通行密钥。请联系管理员。",
		},
		"passkeys.exists": {
			EN: "This passkey is already registered. Use it to sign in, or add one from another device.",
			ZH: "该通行密钥已添加过。可直接用它登录，或在其他设备上添加新的通行密钥。",
		},
		"passkeys.renamed": {EN: "Passkey renamed.", ZH: "通行密钥已重命名。"},
		"passkeys.removed": {
			EN: "Passkey removed. It no longer signs in to your account.",
			ZH: "通行密钥已移除，无法再用它登录您的账号。",
		},
		"passkeys.unknown": {
			EN: "That passkey is not on your account, or it was already removed.",
			ZH: "您的账号中没有该通行密钥，或它已被移除。",
		},
		"passkeys.name_empty": {EN: "Give the passkey a name.", ZH: "请为通行密钥命名。"},
		"passkeys.name_too_long": {
			EN: "Use at most 64 characters for the passkey’s name.",
			ZH: "通行密钥的名称不能超过 64 个字符。",
		},
		"passkeys.name_invalid": {
			EN: "The name holds a character that is not allowed, such as a line break.",
			ZH: "名称中含有不允许的字符，例如换行符。",
		},

		// Changing the password while signed in.
		"account.password_heading": {EN: "Password", ZH: "密码"},
		"account.password_intro": {
			EN: "Changing your password signs you out on your other devices and apps.",
			ZH: "修改密码后，您的其他设备和应用将退出登录。",
		},
		"account.password_fresh": {
			EN: "You signed in with a second factor a moment ago, so your current password is not needed.",
			ZH: "您刚刚通过第二重验证登录，因此无需输入当前密码。",
		},
		"account.password_new":     {EN: "New password", ZH: "新密码"},
		"account.password_confirm": {EN: "New password again", ZH: "再次输入新密码"},
		"account.password_change":  {EN: "Change password", ZH: "修改密码"},
		"password.changed": {
			EN: "Password changed. Your other devices and apps were signed out.",
			ZH: "密码已修改，您的其他设备和应用已退出登录。",
		},
	}
}
