package mail

import (
	"fmt"
	"time"
)

// Locale is a language the mails are written in, as a BCP 47 tag; it is
// also the lang attribute of the HTML body. The values are those of
// provider/web's locales, so a page's locale can be passed on as is.
type Locale string

// The locales every mail is written in.
const (
	English Locale = "en"
	Chinese Locale = "zh-CN" // Simplified Chinese
)

func locales() []Locale { return []Locale{English, Chinese} }

// message is one string of the mails in each language. Texts that take
// arguments use fmt verbs (%s, %d); a literal percent sign is %%.
type message struct {
	en string
	zh string // Simplified Chinese, zh-CN
}

// catalogue maps message keys to their texts.
type catalogue map[string]message

// messages returns every string the mails contain. The templates use them
// through t; NewComposer renders every mail in both languages, so a
// missing key or a wrong number of arguments fails there.
//
// The Chinese is written as a mainland Chinese product would say it, not
// word for word: 您 throughout, full-width punctuation, and a space between
// Chinese and Latin text ("TokenIM 账号").
func messages() catalogue {
	return catalogue{
		// Shared by every mail.
		"greeting":      {en: "Hi,", zh: "您好！"},
		"greeting.name": {en: "Hi %s,", zh: "%s，您好！"},
		"link.fallback": {
			en: "If the button does not work, copy this link into your browser:",
			zh: "如果按钮无法点击，请将以下链接复制到浏览器中打开：",
		},
		"link.expires": {
			en: "This link expires in %s and can be used only once.",
			zh: "该链接 %s内有效，且只能使用一次。",
		},
		"signature": {en: "The TokenIM team", zh: "TokenIM 团队"},
		"footer": {
			en: "This message was sent automatically. Replies to it are not read.",
			zh: "此邮件由系统自动发送，请勿直接回复。",
		},

		// Expiry, in words.
		"duration.minute":  {en: "%d minute", zh: "%d 分钟"},
		"duration.minutes": {en: "%d minutes", zh: "%d 分钟"},
		"duration.hour":    {en: "%d hour", zh: "%d 小时"},
		"duration.hours":   {en: "%d hours", zh: "%d 小时"},
		"duration.days":    {en: "%d days", zh: "%d 天"},

		// Email activation, after registration.
		"activation.subject": {en: "Activate your TokenIM account", zh: "激活您的 TokenIM 账号"},
		"activation.intro": {
			en: "Thanks for signing up. Please confirm your email address to activate your TokenIM account.",
			zh: "感谢您注册 TokenIM！请确认您的邮箱地址，以激活您的 TokenIM 账号。",
		},
		"activation.action": {en: "Activate account", zh: "激活账号"},
		"activation.open": {
			en: "To activate your account, open this link:",
			zh: "请打开以下链接激活账号：",
		},
		"activation.ignore": {
			en: "If you did not create a TokenIM account, you can ignore this message.",
			zh: "如果您没有注册过 TokenIM 账号，请忽略此邮件。",
		},

		// Password reset.
		"reset.subject": {en: "Reset your TokenIM password", zh: "重置您的 TokenIM 密码"},
		"reset.intro": {
			en: "Someone asked to reset the password of your TokenIM account.",
			zh: "我们收到了重置您 TokenIM 账号密码的请求。",
		},
		"reset.action": {en: "Choose a new password", zh: "设置新密码"},
		"reset.open": {
			en: "To choose a new password, open this link:",
			zh: "请打开以下链接设置新密码：",
		},
		"reset.signout": {
			en: "Once your password has been reset, you will be signed out of TokenIM on your other devices.",
			zh: "密码重置后，您在其他设备上的 TokenIM 登录将自动退出。",
		},
		"reset.ignore": {
			en: "If it wasn't you, ignore this message; your password stays the same.",
			zh: "如果这不是您本人的操作，请忽略此邮件，您的密码不会改变。",
		},
	}
}

// text returns a message's text in a locale; ok is false when the key is
// unknown or has no text in that language.
func (c catalogue) text(loc Locale, key string) (s string, ok bool) {
	m, found := c[key]
	if !found {
		return "", false
	}
	if loc == Chinese {
		s = m.zh
	} else {
		s = m.en
	}
	return s, s != ""
}

// translator is the template function t for one locale: {{t "key"}} or,
// for a text with verbs, {{t "key" .Arg}}. Every text goes through
// fmt.Sprintf, so a literal percent sign is written %%, and a text given
// too few or too many arguments shows fmt's "%!", which NewComposer
// looks for. An unknown key is an error, not a panic; NewComposer has
// already rendered every template with it.
func (c catalogue) translator(loc Locale) func(key string, args ...any) (string, error) {
	return func(key string, args ...any) (string, error) {
		s, ok := c.text(loc, key)
		if !ok {
			return "", fmt.Errorf("no %s text for message %q", loc, key)
		}
		return fmt.Sprintf(s, args...), nil
	}
}

// inWords says how long a link stays valid, in the largest unit that
// says it exactly: "3 days", "24 hours", "90 minutes". It rounds down to
// the minute, never below one, so the mail never promises more time than
// the link has.
func (c catalogue) inWords(loc Locale, d time.Duration) string {
	minutes := max(int(d/time.Minute), 1)
	n, unit := minutes, "minute"
	switch {
	case minutes%(24*60) == 0 && minutes >= 2*24*60:
		// From two days on: "1 day" would read as "until tomorrow",
		// where "24 hours" is exact.
		n, unit = minutes/(24*60), "day"
	case minutes%60 == 0:
		n, unit = minutes/60, "hour"
	}
	key := "duration." + unit
	if n != 1 {
		key += "s"
	}
	s, _ := c.translator(loc)(key, n)
	return s
}
