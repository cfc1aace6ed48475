package web

import "github.com/tokenim/tokenim-auth/provider/i18n"

// installMessages are the texts of installing apps into a workspace: the
// installation page (provider/install), the console's approval queue
// (provider/admin) and the installation records' actions.
func installMessages() i18n.Catalogue {
	return i18n.Catalogue{
		"install.title":                       {EN: "Install an app", ZH: "安装应用"},
		"install.heading":                     {EN: "Install %s in %s", ZH: "在 %[2]s 中安装 %[1]s"},
		"install.intro":                       {EN: "%s asks to act in the workspace as itself, with these permissions. Untick any it should not have.", ZH: "%s 请求以自身身份在工作区中操作，并获得以下权限。可取消勾选不希望授予的权限。"},
		"install.scopes":                      {EN: "Permissions", ZH: "权限"},
		"install.install":                     {EN: "Install", ZH: "安装"},
		"install.request":                     {EN: "Ask an admin to install", ZH: "申请管理员安装"},
		"install.request_note":                {EN: "An admin of the workspace decides on your request.", ZH: "您的申请将由工作区管理员审批。"},
		"install.installed":                   {EN: "The app is installed in this workspace.", ZH: "该应用已安装到此工作区。"},
		"install.pending":                     {EN: "Your request waits for an admin's approval.", ZH: "您的申请正在等待管理员批准。"},
		"install.waiting":                     {EN: "Waiting for approval:", ZH: "等待批准："},
		"install.denied":                      {EN: "An admin denied the installation.", ZH: "管理员拒绝了安装申请。"},
		"install.reason":                      {EN: "Reason: %s", ZH: "原因：%s"},
		"install.ask_again":                   {EN: "You may ask again.", ZH: "您可以重新申请。"},
		"install.not_member":                  {EN: "Only members of the workspace may install apps there.", ZH: "只有工作区成员才能在其中安装应用。"},
		"install.unknown":                     {EN: "There is no such workspace or app.", ZH: "没有这个工作区或应用。"},
		"install.no_scopes":                   {EN: "Choose at least one permission.", ZH: "请至少选择一项权限。"},
		"install.bad_scope":                   {EN: "The app does not ask for that permission.", ZH: "该应用并未请求此权限。"},
		"admin.action.install.requested":      {EN: "App installation requested", ZH: "申请安装应用"},
		"admin.action.install.installed":      {EN: "App installed", ZH: "安装应用"},
		"admin.action.install.approved":       {EN: "App installation approved", ZH: "批准安装应用"},
		"admin.action.install.denied":         {EN: "App installation denied", ZH: "拒绝安装应用"},
		"admin.action.install.reapproval":     {EN: "App asks for re-approval", ZH: "应用需重新批准"},
		"admin.action.install.uninstalled":    {EN: "App uninstalled", ZH: "卸载应用"},
		"admin.action.install.app_approved":   {EN: "App approved for members", ZH: "预先批准应用"},
		"admin.action.install.app_unapproved": {EN: "App approval withdrawn", ZH: "撤回应用预先批准"},
	}
}
