package web

import "github.com/tokenim/tokenim-auth/provider/i18n"

// consoleExchangeMessages are the texts of the console's token exchange
// policies (provider/admin): the list, the form, the confirmation of a
// deletion, the notices and the records.
func consoleExchangeMessages() i18n.Catalogue {
	return i18n.Catalogue{
		"admin.nav_exchange":          {EN: "Token exchange", ZH: "令牌交换"},
		"admin.exchange_title":        {EN: "Token exchange", ZH: "令牌交换"},
		"admin.exchange_policy_title": {EN: "Token exchange policy", ZH: "令牌交换策略"},
		"admin.exchange_caption":      {EN: "Token exchange policies, configured and made here", ZH: "令牌交换策略（配置文件中的与此处创建的）"},
		"admin.exchange_none":         {EN: "No client may exchange tokens yet.", ZH: "暂无可交换令牌的客户端。"},
		"admin.exchange_intro": {
			EN: "A confidential client with a policy may exchange a user's access token for a new one (RFC 8693): for itself, acting for the user, or for another service. The new token never has more scopes than the one presented, and ends with it. Those from the configuration file are read-only here; change them there. A change reaches every server within 5 seconds.",
			ZH: "拥有策略的机密客户端可以用用户的访问令牌交换新的令牌（RFC 8693）：供自己代表用户使用，或用于访问其他服务。新令牌的权限范围不会多于所提交的令牌，且随其一同失效。来自配置文件的策略在此只读，请在配置文件中修改。修改在 5 秒内对所有服务器生效。",
		},
		"admin.col_exchange_client":        {EN: "Client", ZH: "客户端"},
		"admin.col_exchange_audiences":     {EN: "Tokens it may present, by audience", ZH: "可提交的令牌（按受众）"},
		"admin.col_exchange_resources":     {EN: "Resources it may ask for", ZH: "可申请的资源"},
		"admin.col_exchange_scopes":        {EN: "Scopes the new token may keep", ZH: "新令牌可保留的权限范围"},
		"admin.col_exchange_impersonation": {EN: "Impersonation", ZH: "身份模拟"},
		"admin.col_exchange_source":        {EN: "Source", ZH: "来源"},
		"admin.exchange_any_audience":      {EN: "Any", ZH: "任意"},
		"admin.exchange_same_audience":     {EN: "The presented token's audience", ZH: "沿用所提交令牌的受众"},
		"admin.exchange_any_scope":         {EN: "Any of the presented token's", ZH: "所提交令牌的任意权限范围"},
		"admin.exchange_impersonation_on":  {EN: "Allowed", ZH: "允许"},
		"admin.exchange_impersonation_off": {EN: "Not allowed", ZH: "不允许"},
		"admin.exchange_configured":        {EN: "From the configuration file", ZH: "来自配置文件"},
		"admin.exchange_configured_text": {
			EN: "This policy is set in the configuration file: it is read-only here.",
			ZH: "此策略在配置文件中设置，在此只读。",
		},
		"admin.exchange_shadowed": {EN: "Hidden by the configuration file", ZH: "被配置文件覆盖"},
		"admin.exchange_shadowed_text": {
			EN: "The configuration file gives this client a policy that takes this one's place: this one is not used while that one is there.",
			ZH: "配置文件为此客户端设置了策略，它将取代此策略：只要那个策略存在，此策略就不会被使用。",
		},
		"admin.exchange_stored":   {EN: "Made here", ZH: "在此创建"},
		"admin.exchange_create":   {EN: "Add a policy", ZH: "添加策略"},
		"admin.exchange_settings": {EN: "Settings", ZH: "设置"},
		"admin.exchange_save":     {EN: "Save", ZH: "保存"},
		"admin.exchange_delete":   {EN: "Delete", ZH: "删除"},
		"admin.exchange_app_link": {EN: "The client's app page", ZH: "该客户端的应用页面"},
		"admin.exchange_client_hint": {
			EN: "The ID of a confidential client. It cannot change.",
			ZH: "机密客户端的 ID。创建后不可更改。",
		},
		"admin.exchange_audiences_hint": {
			EN: "The client may present only tokens for one of these. Tick none to take tokens of any audience.",
			ZH: "客户端只能提交受众为其中之一的令牌。不勾选则接受任意受众的令牌。",
		},
		"admin.exchange_resources_hint": {
			EN: "The client may ask the new token for these. Tick none: the new token keeps the presented one's audience.",
			ZH: "客户端可为新令牌申请这些资源。不勾选则新令牌沿用所提交令牌的受众。",
		},
		"admin.exchange_scopes_hint": {
			EN: "The new token keeps only these, among the presented token's. Tick none to keep any of them.",
			ZH: "新令牌只保留所提交令牌中的这些权限范围。不勾选则可保留任意权限范围。",
		},
		"admin.exchange_impersonation_hint": {
			EN: "Let the client get a token that does not name it as the actor (no act claim) when it presents no actor token. Off, the new token always names who acts.",
			ZH: "允许客户端在未提交行为方令牌时获得不标明其为行为方的令牌。关闭时，新令牌总会标明行为方。",
		},
		"admin.notice_exchange_created": {EN: "The policy was added.", ZH: "策略已添加。"},
		"admin.notice_exchange_saved":   {EN: "The policy was saved.", ZH: "策略已保存。"},
		"admin.notice_exchange_deleted": {EN: "The policy was deleted.", ZH: "策略已删除。"},
		"admin.error_exchange_client": {
			EN: "The client must be an existing confidential client: public clients may not exchange tokens.",
			ZH: "客户端必须是已存在的机密客户端：公开客户端不能交换令牌。",
		},
		"admin.error_exchange_resource": {
			EN: "Tick only protected resources that exist (the Resources page lists them).",
			ZH: "请只勾选已存在的受保护资源（受保护资源页面列出了它们）。",
		},
		"admin.error_exchange_scope":      {EN: "Tick only scopes of the catalogue.", ZH: "请只勾选权限范围目录中的权限范围。"},
		"admin.error_exchange_input":      {EN: "The policy could not be read: check its values.", ZH: "无法读取该策略：请检查其取值。"},
		"admin.error_exchange_exists":     {EN: "This client has a policy already: change that one.", ZH: "此客户端已有策略，请修改现有策略。"},
		"admin.error_exchange_configured": {EN: "This client's policy is set in the configuration file: change it there.", ZH: "此客户端的策略在配置文件中设置，请在配置文件中修改。"},
		"admin.confirm_exchange_delete_heading": {
			EN: "Delete the token exchange policy of %s?",
			ZH: "确定要删除 %s 的令牌交换策略吗？",
		},
		"admin.confirm_exchange_delete_text": {
			EN: "The client can no longer exchange tokens (within 5 seconds on every server); the tokens it got stay valid until they expire.",
			ZH: "该客户端将无法再交换令牌（5 秒内对所有服务器生效）；已获得的令牌在过期前仍然有效。",
		},
		"admin.submit_exchange_delete": {EN: "Delete the policy", ZH: "删除策略"},

		"admin.action.token_exchange_policy.created": {EN: "Token exchange policy added", ZH: "添加令牌交换策略"},
		"admin.action.token_exchange_policy.updated": {EN: "Token exchange policy changed", ZH: "修改令牌交换策略"},
		"admin.action.token_exchange_policy.deleted": {EN: "Token exchange policy deleted", ZH: "删除令牌交换策略"},
	}
}
