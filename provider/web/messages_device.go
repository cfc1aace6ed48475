package web

import "github.com/tokenim/tokenim-auth/provider/i18n"

// deviceMessages returns the messages of the device sign-in page (/device).
func deviceMessages() i18n.Catalogue {
	return i18n.Catalogue{
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
		"device.workspace": {EN: "Workspace: %s (%s)", ZH: "工作区：%s（%s）"},
		"device.choose_workspace": {
			EN: "Choose the workspace to use %s with on this device:",
			ZH: "请选择在此设备上使用 %s 的工作区：",
		},
		"device.workspace_required": {
			EN: "Choose a workspace, then approve.",
			ZH: "请先选择工作区，再批准。",
		},
		"device.no_workspace": {
			EN: "Your account is not an active member of any workspace, so it cannot sign in on a device. Ask an administrator for an invitation.",
			ZH: "您的账号不是任何工作区的有效成员，无法在设备上登录。请联系管理员邀请您加入。",
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
	}
}
