package web

import "github.com/tokenim/tokenim-auth/provider/i18n"

// workspaceMessages are the texts of the workspace pages: the invitation
// page (provider/workspace), the chooser and an app's request for a
// workspace the user is not a member of (provider/chooser), and the
// workspace records' actions.
func workspaceMessages() i18n.Catalogue {
	return i18n.Catalogue{
		"invitation.title":   {EN: "Workspace invitation", ZH: "工作区邀请"},
		"invitation.heading": {EN: "Join %s", ZH: "加入 %s"},
		"invitation.intro": {
			EN: "You are invited to join the workspace %s as %s.",
			ZH: "您受邀以 %[2]s 身份加入工作区 %[1]s。",
		},
		"invitation.sent_to": {EN: "The invitation was sent to %s.", ZH: "邀请已发送至 %s。"},
		"invitation.as":      {EN: "You will join as %s.", ZH: "您将以 %s 的账号加入。"},
		"invitation.join":    {EN: "Join the workspace", ZH: "加入工作区"},
		"invitation.signin":  {EN: "Sign in to join", ZH: "登录后加入"},
		"invitation.register": {
			EN: "No account yet? Register, then open this link again.",
			ZH: "还没有账号？请先注册，再重新打开此链接。",
		},
		"invitation.expired": {
			EN: "This invitation has expired, was already used or was withdrawn. Ask the workspace's admin for a new one.",
			ZH: "该邀请已过期、已被使用或已被撤回。请联系工作区管理员重新邀请。",
		},
		"invitation.joined":         {EN: "You joined the workspace.", ZH: "您已加入该工作区。"},
		"invitation.already_member": {EN: "You are a member of this workspace already.", ZH: "您已经是该工作区的成员。"},
		"invitation.throttled": {
			EN: "Too many invitation links were tried from your network. Try again in a few minutes.",
			ZH: "您的网络尝试了过多邀请链接，请几分钟后再试。",
		},

		// The actions of workspace records, as the console's records page
		// names them.
		"admin.action.workspace.created":             {EN: "Workspace created", ZH: "创建工作区"},
		"admin.action.workspace.updated":             {EN: "Workspace changed", ZH: "修改工作区"},
		"admin.action.workspace.deleted":             {EN: "Workspace deleted", ZH: "删除工作区"},
		"admin.action.workspace.member_added":        {EN: "Member added", ZH: "添加成员"},
		"admin.action.workspace.role_changed":        {EN: "Member's role changed", ZH: "变更成员角色"},
		"admin.action.workspace.member_removed":      {EN: "Member removed", ZH: "移除成员"},
		"admin.action.workspace.member_left":         {EN: "Member left", ZH: "成员退出"},
		"admin.action.workspace.invitation_sent":     {EN: "Invitation sent", ZH: "发送邀请"},
		"admin.action.workspace.invitation_accepted": {EN: "Invitation accepted", ZH: "接受邀请"},
		"admin.action.workspace.invitation_revoked":  {EN: "Invitation revoked", ZH: "撤回邀请"},

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
		"workspace.passkeys_only": {
			EN: "The workspace the app asked for signs its members in with passkeys only.",
			ZH: "应用所请求的工作区仅允许成员使用通行密钥登录。",
		},
		"workspace.no_sign_in_method": {
			EN: "The workspace the app asked for signs its members in with passkeys only, and passkeys are not available on this site. Ask the workspace's administrator.",
			ZH: "应用所请求的工作区仅允许成员使用通行密钥登录，但本站未启用通行密钥。请联系该工作区的管理员。",
		},
		"workspace.sign_in_method": {
			EN: "This workspace does not allow signing in with a password. Sign in with a passkey.",
			ZH: "该工作区不允许使用密码登录，请使用通行密钥登录。",
		},
	}
}
