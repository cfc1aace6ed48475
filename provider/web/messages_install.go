package web

import "github.com/tokenim/tokenim-auth/provider/i18n"

// installMessages are the texts of installing apps into a workspace: the
// installation page (provider/install), the console's approval queue
// (provider/admin) and the installation records' actions.
func installMessages() i18n.Catalogue {
	return i18n.Catalogue{
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
