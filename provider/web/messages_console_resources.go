package web

import "github.com/tokenim/tokenim-auth/provider/i18n"

// consoleResourceMessages are the texts of the console's protected
// resources (provider/admin): the list, the form, the confirmation of a
// deletion, the notices and the records.
func consoleResourceMessages() i18n.Catalogue {
	return i18n.Catalogue{
		"admin.action.resource.created": {EN: "Resource added", ZH: "添加受保护资源"},
		"admin.action.resource.updated": {EN: "Resource changed", ZH: "修改受保护资源"},
		"admin.action.resource.deleted": {EN: "Resource deleted", ZH: "删除受保护资源"},
	}
}
