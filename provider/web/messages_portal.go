package web

import "github.com/tokenim/tokenim-auth/provider/i18n"

// portalMessages returns the messages of the developer portal.
func portalMessages() i18n.Catalogue {
	return i18n.Catalogue{
		// Developer portal: the list of apps.
		"portal.title":         {EN: "Your apps", ZH: "我的应用"},
		"portal.intro":         {EN: "Apps you registered to sign people in with TokenIM or to call its APIs.", ZH: "您注册的、通过 TokenIM 登录或调用 TokenIM 接口的应用。"},
		"portal.col_name":      {EN: "Name", ZH: "名称"},
		"portal.col_kind":      {EN: "Type", ZH: "类型"},
		"portal.col_created":   {EN: "Created", ZH: "创建日期"},
		"portal.kind_web":      {EN: "Web app", ZH: "网页应用"},
		"portal.kind_browser":  {EN: "Browser app (single-page)", ZH: "浏览器应用（单页应用）"},
		"portal.kind_native":   {EN: "Mobile or desktop app", ZH: "移动或桌面应用"},
		"portal.kind_service":  {EN: "Service or bot", ZH: "服务或机器人"},
		"portal.expiring_one":  {EN: "1 secret expires soon", ZH: "1 个密钥即将过期"},
		"portal.expiring_many": {EN: "%d secrets expire soon", ZH: "%d 个密钥即将过期"},
		"portal.none":          {EN: "You have not registered any app yet.", ZH: "您还没有注册任何应用。"},
		"portal.new":           {EN: "Create an app", ZH: "创建应用"},

		// Developer portal: the app form.
		"portal.client_id":   {EN: "Client ID", ZH: "客户端 ID"},
		"portal.kind":        {EN: "Type of app", ZH: "应用类型"},
		"portal.name":        {EN: "Name", ZH: "应用名称"},
		"portal.name_hint":   {EN: "People see this name when they sign in to your app.", ZH: "用户登录您的应用时会看到这个名称。"},
		"portal.description": {EN: "Description", ZH: "应用简介"},
		"portal.logo_uri":    {EN: "Logo URL", ZH: "Logo 地址"},
		"portal.logo_hint":   {EN: "The https address of a square image. Optional.", ZH: "正方形图片的 https 地址，选填。"},
		"portal.kind_web_hint": {
			EN: "Runs on a server that can keep a secret, and signs people in through their browser.",
			ZH: "运行在服务器上，可以妥善保管密钥，通过浏览器让用户登录。",
		},
		"portal.kind_native_hint": {
			EN: "Runs on people’s phones or computers, which cannot keep a secret: signs them in with PKCE, without a secret.",
			ZH: "运行在用户的手机或电脑上，无法妥善保管密钥：通过 PKCE 让用户登录，不使用密钥。",
		},
		"portal.kind_browser_hint": {
			EN: "Runs in the browser as a single-page app and fetches its tokens from the page: no secret, PKCE, https redirect URIs. Its sign-ins last a day at most.",
			ZH: "作为单页应用在浏览器中运行，并在页面中获取令牌：不使用密钥，使用 PKCE 和 https 重定向 URI。登录状态最长保持一天。",
		},
		"portal.allowed_origins": {EN: "Allowed web origins", ZH: "允许的网页来源"},
		"portal.allowed_origins_hint": {
			EN: "Browser and web apps only. Where the app’s pages call TokenIM from, one per line, like https://app.example.com (http on localhost for development). A browser app left empty uses its redirect URIs’ origins.",
			ZH: "仅适用于浏览器应用和网页应用。应用页面从哪些来源调用 TokenIM，每行一个，即 https 协议加主机名（开发时可使用 localhost 上的 http）。浏览器应用留空时使用其重定向 URI 的来源。",
		},
		"portal.reuse_window": {EN: "Refresh token reuse window", ZH: "刷新令牌复用窗口"},
		"portal.reuse_window_hint": {
			EN: "Optional. How long after a refresh the previous refresh token still works, for parallel refreshes or a retry after a lost response: from 0s (off) to 1m, like 10s. Empty: the provider’s default.",
			ZH: "选填。刷新后，旧的刷新令牌在多长时间内仍可使用（用于并行刷新或响应丢失后的重试）：0s（关闭）至 1m，例如 10s。留空则使用服务默认值。",
		},
		"portal.kind_service_hint": {
			EN: "Calls TokenIM APIs on its own behalf with a secret, with nobody signed in.",
			ZH: "使用密钥以自身身份调用 TokenIM 接口，无需用户登录。",
		},
		"portal.token_format":  {EN: "Access tokens", ZH: "访问令牌"},
		"portal.format_opaque": {EN: "Opaque", ZH: "不透明令牌"},
		"portal.format_opaque_hint": {
			EN: "A random string; your servers check it by introspection.",
			ZH: "随机字符串；由你的服务器通过令牌内省（introspection）校验。",
		},
		"portal.format_jwt": {EN: "JWT", ZH: "JWT 令牌"},
		"portal.format_jwt_hint": {
			EN: "A signed JWT (RFC 9068); a gateway verifies it itself against the JWKS.",
			ZH: "已签名的 JWT（RFC 9068）；网关可使用 JWKS 自行校验。",
		},
		"portal.require_par": {EN: "Require pushed authorization requests", ZH: "要求推送授权请求"},
		"portal.require_par_hint": {
			EN: "The app must send each sign-in request to /oauth2/par first (RFC 9126). Not for a service or bot.",
			ZH: "应用必须先将每个登录请求发送到 /oauth2/par（RFC 9126）。不适用于服务或机器人。",
		},
		"portal.require_dpop": {EN: "Require DPoP-bound tokens", ZH: "要求 DPoP 绑定令牌"},
		"portal.require_dpop_hint": {
			EN: "Your app sends a DPoP proof with every token request, and each token is bound to its key (RFC 9449); a request without one is refused.",
			ZH: "你的应用在每个令牌请求中附带 DPoP 证明，签发的令牌绑定到该证明的密钥（RFC 9449）；不带证明的请求将被拒绝。",
		},
		"portal.dpop_off": {
			EN: "DPoP-bound tokens: DPoP is turned off on this server, so an app cannot require it. Untick the box.",
			ZH: "DPoP 绑定令牌：本服务已关闭 DPoP，应用不能要求使用。请取消勾选。",
		},
		"portal.redirect_uris":          {EN: "Redirect URIs", ZH: "重定向 URI"},
		"portal.redirect_hint":          {EN: "One per line; not used by services.", ZH: "每行一个；服务或机器人无需填写。"},
		"portal.backchannel_logout_uri": {EN: "Back-channel logout URI", ZH: "后端通道登出 URI"},
		"portal.backchannel_logout_hint": {
			EN: "Optional. Where TokenIM Auth POSTs a logout token when a user of the app signs out (OpenID Connect Back-Channel Logout): https, or http on 127.0.0.1 for development.",
			ZH: "可选。用户退出登录时，TokenIM Auth 向此地址 POST 登出令牌（OpenID Connect 后端通道登出）：使用 https，开发时可使用 127.0.0.1 上的 http。",
		},
		"portal.scopes":              {EN: "Permissions the app asks for", ZH: "应用申请的权限"},
		"portal.scope_pending":       {EN: "awaiting an administrator's approval", ZH: "等待管理员审批"},
		"portal.scopes_service_hint": {EN: "A service or bot acts with no user to consent: the permissions it asks for take effect once an administrator approves them.", ZH: "服务或机器人代表自身操作，无需用户授权：其申请的权限经管理员审批后生效。"},
		"portal.create_submit":       {EN: "Create app", ZH: "创建应用"},
		"portal.save":                {EN: "Save changes", ZH: "保存修改"},
		"portal.back":                {EN: "Back to your apps", ZH: "返回我的应用"},
		"portal.delete_link":         {EN: "Delete this app", ZH: "删除此应用"},

		// Developer portal: an app's secrets.
		"portal.secrets_heading":      {EN: "Secrets (API keys)", ZH: "密钥（API Key）"},
		"portal.secret_col_prefix":    {EN: "Secret", ZH: "密钥"},
		"portal.secret_col_state":     {EN: "Status", ZH: "状态"},
		"portal.secret_col_created":   {EN: "Created", ZH: "创建时间"},
		"portal.secret_col_expires":   {EN: "Expires", ZH: "过期时间"},
		"portal.secret_col_last_used": {EN: "Last used", ZH: "最近使用"},
		"portal.secret_col_action":    {EN: "Action", ZH: "操作"},
		"portal.state_live":           {EN: "Active", ZH: "有效"},
		"portal.state_expiring":       {EN: "Expires soon", ZH: "即将过期"},
		"portal.state_expired":        {EN: "Expired", ZH: "已过期"},
		"portal.never_expires":        {EN: "Never", ZH: "永不过期"},
		"portal.never_used":           {EN: "Never", ZH: "从未使用"},
		"portal.revoke":               {EN: "Revoke", ZH: "撤销"},
		"portal.no_secrets":           {EN: "This app has no secret yet.", ZH: "该应用还没有密钥。"},
		"portal.rotate":               {EN: "Create a new secret", ZH: "创建新密钥"},
		"portal.rotate_note": {
			EN: "The current secret keeps working for a grace period, so you can switch without downtime.",
			ZH: "当前密钥在宽限期内仍可使用，您可以从容切换，服务不会中断。",
		},

		// Developer portal: a new secret, shown once.
		"portal.shown_created": {EN: "Your app is ready", ZH: "您的应用已创建"},
		"portal.shown_secret":  {EN: "Your new secret", ZH: "新密钥已创建"},
		"portal.app":           {EN: "App", ZH: "应用"},
		"portal.client_secret": {EN: "Client secret", ZH: "客户端密钥"},
		"portal.secret_warning": {
			EN: "Copy the secret now: it is shown only this once. TokenIM Auth keeps only a keyed hash of it.",
			ZH: "请立即复制此密钥，它只会显示这一次。TokenIM Auth 只保存它的 HMAC 哈希值，无法找回原文。",
		},
		"portal.no_secret_native": {
			EN: "Mobile and desktop apps have no secret: they sign people in with PKCE.",
			ZH: "移动或桌面应用没有密钥，通过 PKCE 让用户登录。",
		},
		"portal.go_to_app": {EN: "Go to the app’s settings", ZH: "前往应用设置"},

		// Developer portal: deleting an app.
		"portal.delete_title":   {EN: "Delete app", ZH: "删除应用"},
		"portal.delete_heading": {EN: "Delete %s?", ZH: "确定要删除 %s 吗？"},
		"portal.delete_text": {
			EN: "Every token issued to this app stops working at once, and everyone’s authorisation of it is removed. This cannot be undone.",
			ZH: "该应用的所有令牌将立即失效，所有用户对它的授权也将被移除。此操作无法撤销。",
		},
		"portal.delete_submit": {EN: "Delete app", ZH: "删除应用"},
		"portal.cancel":        {EN: "Cancel", ZH: "取消"},

		// Developer portal: what its handlers report.
		"portal.developers_only": {
			EN: "Only developers can register apps. Ask your administrator for the developer role.",
			ZH: "只有开发者可以注册应用。请联系管理员为您分配开发者角色。",
		},
		"portal.created": {EN: "Your app was created.", ZH: "应用已创建。"},
		"portal.saved":   {EN: "Your changes were saved.", ZH: "修改已保存。"},
		"portal.deleted": {
			EN: "The app was deleted: its tokens stopped working and everyone’s authorisation of it was removed.",
			ZH: "应用已删除，其令牌已全部失效，所有用户对它的授权也已移除。",
		},
		"portal.secret_revoked": {EN: "The secret was revoked: it stopped working at once.", ZH: "密钥已撤销，并已立即失效。"},
		"portal.name_required":  {EN: "Enter the app’s name, in at most 100 characters.", ZH: "请填写应用名称（不超过 100 个字符）。"},
		"portal.kind_invalid":   {EN: "Choose the type of app.", ZH: "请选择应用类型。"},
		"portal.logo_invalid":   {EN: "The logo URL must be an https address.", ZH: "Logo 地址必须是 https 地址。"},
		"portal.token_format_invalid": {
			EN: "Access tokens: choose Opaque or JWT.",
			ZH: "访问令牌：请选择“不透明令牌”或“JWT 令牌”。",
		},
		"portal.par_service": {
			EN: "Require pushed authorization requests: a service or bot makes no authorization requests, so it cannot require them.",
			ZH: "要求推送授权请求：服务或机器人不发起授权请求，因此不能要求推送授权请求。",
		},
		"portal.logout_uri_invalid": {
			EN: "%s is not an acceptable back-channel logout URI: use https (or http on 127.0.0.1 for development), with no fragment.",
			ZH: "%s 不是可接受的后端通道登出 URI。请使用 https（开发时可使用 127.0.0.1 上的 http），且不能带片段（#）。",
		},
		"portal.redirect_invalid": {
			EN: "%s is not an acceptable redirect URI: use https (or http on 127.0.0.1 for development), or a custom scheme for a mobile or desktop app.",
			ZH: "%s 不是可接受的重定向 URI。请使用 https（开发时可使用 127.0.0.1 上的 http）；移动或桌面应用也可使用自定义 URL 协议。",
		},
		"portal.origin_invalid": {
			EN: "%s is not an acceptable web origin: give it as https://host[:port] (or http on localhost for development), with no path and no wildcard.",
			ZH: "%s 不是可接受的网页来源。请填写 https 协议加主机名（可带端口；开发时可使用 localhost 上的 http），不能带路径或通配符。",
		},
		"portal.origins_not_for_kind": {
			EN: "Allowed web origins are for browser apps and web apps only: leave them empty for a mobile or desktop app or a service.",
			ZH: "允许的网页来源仅适用于浏览器应用和网页应用：移动或桌面应用以及服务请留空。",
		},
		"portal.reuse_window_invalid": {
			EN: "Refresh token reuse window: leave it empty for the provider’s default, or give a duration from 0s (off) to 1m, like 10s.",
			ZH: "刷新令牌复用窗口：留空使用服务默认值，或填写 0s（关闭）至 1m 之间的时长，例如 10s。",
		},
		"portal.redirect_required": {
			EN: "Web apps and mobile or desktop apps need at least one redirect URI.",
			ZH: "网页应用和移动或桌面应用至少需要填写一个重定向 URI。",
		},
		"portal.scope_not_offered": {
			EN: "You chose a permission that apps registered here cannot ask for.",
			ZH: "您选择的权限中包含此处注册的应用无法申请的权限。",
		},
		"portal.too_many_secrets": {
			EN: "This app already has two live secrets. Revoke one before creating another.",
			ZH: "该应用已有两个有效密钥，请先撤销其中一个，再创建新密钥。",
		},
		"portal.last_secret": {
			EN: "This is the app’s only live secret. Create a new one first, then revoke this one.",
			ZH: "这是该应用唯一有效的密钥。请先创建新密钥，再撤销此密钥。",
		},
		"portal.not_found": {
			EN: "This app or secret does not exist, or it is not one of yours.",
			ZH: "该应用或密钥不存在，或不属于您。",
		},
	}
}
