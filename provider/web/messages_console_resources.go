package web

import "github.com/tokenim/tokenim-auth/provider/i18n"

// consoleResourceMessages are the texts of the console's protected
// resources (provider/admin): the list, the form, the confirmation of a
// deletion, the notices and the records.
func consoleResourceMessages() i18n.Catalogue {
	return i18n.Catalogue{
		"admin.nav_resources":     {EN: "Resources", ZH: "受保护资源"},
		"admin.resources_title":   {EN: "Resources", ZH: "受保护资源"},
		"admin.resource_title":    {EN: "Resource", ZH: "受保护资源"},
		"admin.resources_caption": {EN: "Protected resources, configured and made here", ZH: "受保护资源（配置文件中的与此处创建的）"},
		"admin.resources_none":    {EN: "No resource yet.", ZH: "暂无受保护资源。"},
		"admin.resources_intro": {
			EN: "The services apps may ask tokens for by their resource identifier (RFC 8707), with the scopes each accepts. Those from the configuration file are read-only here; change them there. A change reaches every server within 5 seconds.",
			ZH: "应用可按资源标识符（RFC 8707）为这些服务申请令牌，每个服务接受各自的权限范围。来自配置文件的资源在此只读，请在配置文件中修改。修改在 5 秒内对所有服务器生效。",
		},
		"admin.col_resource_uri":    {EN: "Resource identifier", ZH: "资源标识符"},
		"admin.col_resource_name":   {EN: "Name", ZH: "名称"},
		"admin.col_resource_scopes": {EN: "Scopes it accepts", ZH: "接受的权限范围"},
		"admin.col_resource_source": {EN: "Source", ZH: "来源"},
		"admin.resource_configured": {EN: "From the configuration file", ZH: "来自配置文件"},
		"admin.resource_configured_text": {
			EN: "This resource is set in the configuration file: it is read-only here.",
			ZH: "此资源在配置文件中设置，在此只读。",
		},
		"admin.resource_shadowed": {EN: "Hidden by the configuration file", ZH: "被配置文件覆盖"},
		"admin.resource_shadowed_text": {
			EN: "A resource of the same identifier in the configuration file takes its place: this one is not used while that one is there.",
			ZH: "配置文件中有相同标识符的资源，它将取代此资源：只要那个资源存在，此资源就不会被使用。",
		},
		"admin.resource_stored":   {EN: "Made here", ZH: "在此创建"},
		"admin.resource_create":   {EN: "Add a resource", ZH: "添加受保护资源"},
		"admin.resource_settings": {EN: "Settings", ZH: "设置"},
		"admin.resource_save":     {EN: "Save", ZH: "保存"},
		"admin.resource_delete":   {EN: "Delete", ZH: "删除"},
		"admin.resource_uri_hint": {
			EN: "An absolute URI without a fragment: the service's audience. It cannot change.",
			ZH: "不含片段的绝对 URI，即该服务的受众。创建后不可更改。",
		},
		"admin.resource_scopes_hint": {
			EN: "An app that may obtain one of these may ask tokens for the resource. Tick one or more.",
			ZH: "可获得其中任一权限范围的应用可为此资源申请令牌。请至少勾选一项。",
		},
		"admin.notice_resource_created": {EN: "The resource was added.", ZH: "受保护资源已添加。"},
		"admin.notice_resource_saved":   {EN: "The resource was saved.", ZH: "受保护资源已保存。"},
		"admin.notice_resource_deleted": {EN: "The resource was deleted.", ZH: "受保护资源已删除。"},
		"admin.error_resource_uri": {
			EN: "The resource identifier must be an absolute URI with a host and without a fragment, in printable ASCII without spaces, quotes or backslashes, at most 512 characters.",
			ZH: "资源标识符必须是带主机名、不含片段的绝对 URI，仅含可打印的英文字符（不含空格、引号或反斜杠），最多 512 个字符。",
		},
		"admin.error_resource_name":             {EN: "The name must be at most 200 characters, without control characters or spaces at its ends.", ZH: "名称最多 200 个字符，不得含控制字符，首尾不得有空格。"},
		"admin.error_resource_scopes":           {EN: "Tick at least one scope the service accepts.", ZH: "请至少勾选一个该服务接受的权限范围。"},
		"admin.error_resource_exists":           {EN: "A resource of this identifier exists already.", ZH: "已存在相同标识符的资源。"},
		"admin.error_resource_configured":       {EN: "This resource is set in the configuration file: change it there.", ZH: "此资源在配置文件中设置，请在配置文件中修改。"},
		"admin.confirm_resource_delete_heading": {EN: "Delete the resource %s?", ZH: "确定要删除受保护资源 %s 吗？"},
		"admin.confirm_resource_delete_text": {
			EN: "Apps can no longer ask tokens for it (within 5 seconds on every server); the tokens issued for it stay valid until they expire.",
			ZH: "应用将无法再为其申请令牌（5 秒内对所有服务器生效）；已签发的令牌在过期前仍然有效。",
		},
		"admin.submit_resource_delete": {EN: "Delete the resource", ZH: "删除资源"},

		"admin.action.resource.created": {EN: "Resource added", ZH: "添加受保护资源"},
		"admin.action.resource.updated": {EN: "Resource changed", ZH: "修改受保护资源"},
		"admin.action.resource.deleted": {EN: "Resource deleted", ZH: "删除受保护资源"},
	}
}
