package web

import "github.com/tokenim/tokenim-auth/provider/i18n"

// workspaceMessages returns the messages of the workspace chooser, and of
// an app's request for a workspace the user is not a member of.
func workspaceMessages() i18n.Catalogue {
	return i18n.Catalogue{
		"workspace.choose_title":   {EN: "Choose a workspace", ZH: "选择工作区"},
		"workspace.choose_heading": {EN: "Choose a workspace", ZH: "选择工作区"},
		"workspace.choose_intro":   {EN: "Which workspace do you want to use %s with?", ZH: "您要在哪个工作区使用 %s？"},
		"workspace.handle":         {EN: "Handle: %s", ZH: "标识：%s"},
		"workspace.cancel":         {EN: "Cancel and return to the app", ZH: "取消并返回应用"},
		"workspace.choose_failed": {
			EN: "That workspace is not one of yours. Choose one from the list.",
			ZH: "您不是该工作区的成员，请从列表中选择。",
		},
		"workspace.not_member": {
			EN: "Your account is not a member of the workspace %s that the app asked for. Ask an administrator of that workspace for an invitation, or sign in with another account.",
			ZH: "您的账号不是应用所请求的工作区 %s 的成员。请联系该工作区的管理员邀请您加入，或使用其他账号登录。",
		},
		"workspace.sign_in_method": {
			EN: "This workspace does not allow signing in with a password. Sign in with a passkey.",
			ZH: "该工作区不允许使用密码登录，请使用通行密钥登录。",
		},
	}
}
