package web

import "github.com/tokenim/tokenim-auth/provider/i18n"

// workspaceMessages are the texts of the workspace invitation page
// (provider/workspace).
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
	}
}
