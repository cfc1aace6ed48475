package mail

import (
	"github.com/tokenim/tokenim-auth/provider/i18n"
)

// Locale is a language the mails are written in: the same as the pages'.
type Locale = i18n.Locale

// The locales every mail is written in.
const (
	English = i18n.English
	Chinese = i18n.Chinese
)

// messages returns every string the mails contain. The templates use them
// through t; NewComposer renders every mail in both languages, so a
// missing key or a wrong number of arguments fails there.
//
// The Chinese is written as a mainland Chinese product would say it, not
// word for word: 您 throughout, full-width punctuation, and a space between
// Chinese and Latin text ("TokenIM 账号").
func messages() i18n.Catalogue {
	return i18n.Catalogue{
		// Shared by every mail.
		"greeting":      {EN: "Hi,", ZH: "您好！"},
		"greeting.name": {EN: "Hi %s,", ZH: "%s，您好！"},
		"link.fallback": {
			EN: "If the button does not work, copy this link into your browser:",
			ZH: "如果按钮无法点击，请将以下链接复制到浏览器中打开：",
		},
		"link.expires": {
			EN: "This link expires in %s and can be used only once.",
			ZH: "该链接 %s内有效，且只能使用一次。",
		},
		"signature": {EN: "The TokenIM team", ZH: "TokenIM 团队"},
		"footer": {
			EN: "This message was sent automatically. Replies to it are not read.",
			ZH: "此邮件由系统自动发送，请勿直接回复。",
		},

		// Email activation, after registration.
		"activation.subject": {EN: "Activate your TokenIM account", ZH: "激活您的 TokenIM 账号"},
		"activation.intro": {
			EN: "Thanks for signing up. Please confirm your email address to activate your TokenIM account.",
			ZH: "感谢您注册 TokenIM！请确认您的邮箱地址，以激活您的 TokenIM 账号。",
		},
		"activation.action": {EN: "Activate account", ZH: "激活账号"},
		"activation.open": {
			EN: "To activate your account, open this link:",
			ZH: "请打开以下链接激活账号：",
		},
		"activation.ignore": {
			EN: "If you did not create a TokenIM account, you can ignore this message.",
			ZH: "如果您没有注册过 TokenIM 账号，请忽略此邮件。",
		},

		// Password reset.
		"reset.subject": {EN: "Reset your TokenIM password", ZH: "重置您的 TokenIM 密码"},
		"reset.intro": {
			EN: "Someone asked to reset the password of your TokenIM account.",
			ZH: "我们收到了重置您 TokenIM 账号密码的请求。",
		},
		"reset.action": {EN: "Choose a new password", ZH: "设置新密码"},
		"reset.open": {
			EN: "To choose a new password, open this link:",
			ZH: "请打开以下链接设置新密码：",
		},
		"reset.signout": {
			EN: "Once your password has been reset, you will be signed out of TokenIM on your other devices.",
			ZH: "密码重置后，您在其他设备上的 TokenIM 登录将自动退出。",
		},
		"reset.ignore": {
			EN: "If it wasn't you, ignore this message; your password stays the same.",
			ZH: "如果这不是您本人的操作，请忽略此邮件，您的密码不会改变。",
		},

		// Registration with the address of an existing account.
		"exists.subject": {EN: "Someone tried to sign up with your email", ZH: "有人尝试用您的邮箱注册"},
		"exists.intro": {
			EN: "Someone tried to create a new TokenIM account with this email address. You already have an account, so no new one was created.",
			ZH: "有人尝试使用此邮箱地址注册新的 TokenIM 账号。由于您已有账号，系统没有创建新账号。",
		},
		"exists.sign_in": {
			EN: "If it was you, sign in to your account instead:",
			ZH: "如果是您本人，请直接登录您的账号：",
		},
		"exists.action": {EN: "Choose a new password", ZH: "设置新密码"},
		"exists.open": {
			EN: "If you have forgotten your password, choose a new one with this link:",
			ZH: "如果您忘记了密码，可以通过以下链接设置新密码：",
		},
		"exists.ignore": {
			EN: "If it wasn't you, ignore this message; your account and your password stay the same.",
			ZH: "如果这不是您本人的操作，请忽略此邮件，您的账号和密码都不会改变。",
		},

		// An account an administrator created, without a password.
		"invitation.subject": {EN: "Your TokenIM account is ready", ZH: "您的 TokenIM 账号已创建"},
		"invitation.intro": {
			EN: "An administrator created a TokenIM account for you with this email address. Choose a password to start using it.",
			ZH: "管理员已使用此邮箱地址为您创建了 TokenIM 账号。请设置密码后开始使用。",
		},
		"invitation.action": {EN: "Choose a password", ZH: "设置密码"},
		"invitation.open": {
			EN: "To choose your password, open this link:",
			ZH: "请打开以下链接设置密码：",
		},
		"invitation.ignore": {
			EN: "If you did not expect this account, you can ignore this message; it cannot be used until a password is chosen.",
			ZH: "如果您并不需要此账号，请忽略此邮件；在设置密码之前，该账号无法使用。",
		},

		// An invitation to join a workspace.
		"workspace_invitation.subject": {EN: "You are invited to join %s on TokenIM", ZH: "邀请您加入 TokenIM 工作区“%s”"},
		"workspace_invitation.intro": {
			EN: "You are invited to join the workspace %s on TokenIM as %s. Open the invitation, sign in or register, and join.",
			ZH: "您受邀以 %[2]s 身份加入 TokenIM 工作区“%[1]s”。请打开邀请，登录或注册后即可加入。",
		},
		"workspace_invitation.action": {EN: "Open the invitation", ZH: "查看邀请"},
		"workspace_invitation.open": {
			EN: "To see the invitation, open this link:",
			ZH: "请打开以下链接查看邀请：",
		},
		"workspace_invitation.ignore": {
			EN: "If you do not know this workspace, you can ignore this message: nothing happens unless you join.",
			ZH: "如果您不了解该工作区，请忽略此邮件；除非您确认加入，否则不会有任何变化。",
		},
	}
}
