package web

import "github.com/tokenim/tokenim-auth/provider/i18n"

// linkMessages returns the messages of the account page's sign-in
// providers section: the upstream identities linked to the account, the
// providers that may be linked, and the answers of linking and unlinking.
func linkMessages() i18n.Catalogue {
	return i18n.Catalogue{
		"links.heading": {EN: "Sign-in providers", ZH: "登录方式"},
		"links.intro": {
			EN: "Once linked, you can sign in with your account at another provider.",
			ZH: "关联后，您可以使用其他平台的账号登录。",
		},
		"links.none":       {EN: "No sign-in provider is linked to your account.", ZH: "您的账号尚未关联任何登录方式。"},
		"links.email":      {EN: "Email there", ZH: "对方平台的邮箱"},
		"links.linked":     {EN: "Linked", ZH: "关联时间"},
		"links.last_used":  {EN: "Last used", ZH: "上次使用"},
		"links.never_used": {EN: "Never", ZH: "从未使用"},
		// %s is the provider's display name in the page's language.
		"links.link":   {EN: "Link %s", ZH: "关联 %s"},
		"links.unlink": {EN: "Unlink", ZH: "解除关联"},

		// What the handlers answer (AccountPage Notice and Error).
		"links.added": {
			EN: "Sign-in provider linked. You can now sign in with it.",
			ZH: "已关联，现在可以用该登录方式登录了。",
		},
		"links.removed": {
			EN: "Sign-in provider unlinked. It no longer signs in to your account.",
			ZH: "已解除关联，无法再用该登录方式登录您的账号。",
		},
		"links.unknown": {
			EN: "That sign-in provider is not linked to your account, or it was already unlinked.",
			ZH: "您的账号未关联该登录方式，或已解除关联。",
		},
		"links.unknown_provider": {
			EN: "That sign-in provider is not offered here.",
			ZH: "此处未提供该登录方式。",
		},
		"links.already": {
			EN: "That sign-in provider is already linked to your account. To link another account of it, unlink this one first.",
			ZH: "您的账号已关联该登录方式。如需关联其另一个账号，请先解除现有关联。",
		},
		"links.last_way_in": {
			EN: "This is the only way left to sign in to your account, so it stays. Add a passkey or link another sign-in provider first.",
			ZH: "这是您登录账号仅剩的方式，因此无法移除。请先添加通行密钥或关联其他登录方式。",
		},

		// The authorization record of an unlinking, as the records page
		// names it.
		"admin.action.upstream.unlinked": {EN: "Upstream identity unlinked", ZH: "解除关联外部身份"},
	}
}
