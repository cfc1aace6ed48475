// A single-page app signing its user in with oidc-client-ts at its defaults.
// The page's server hands it its settings at /settings.json; the test drives
// it through window.spa.
"use strict";

window.spa = {
  ready: fetch("/settings.json")
    .then((r) => r.json())
    .then((settings) => {
      window.spa.manager = new oidc.UserManager(settings);
      return window.spa.manager;
    }),

  // describe reduces a user to what the test checks, without the tokens'
  // values where their presence is enough.
  describe(user) {
    return {
      sub: user.profile.sub,
      email: user.profile.email || "",
      name: user.profile.name || "",
      scope: user.scope || "",
      tokenType: user.token_type,
      accessToken: user.access_token,
      refreshToken: user.refresh_token || "",
      idToken: user.id_token || "",
      expired: user.expired === true,
    };
  },

  // run calls a UserManager method and turns its outcome into a value the
  // test can read: the described user, or the error's message.
  async run(method, ...args) {
    const manager = await window.spa.ready;
    try {
      const result = await manager[method](...args);
      if (result && result.profile) {
        return { user: window.spa.describe(result) };
      }
      return { ok: true };
    } catch (e) {
      return { error: String((e && e.message) || e) };
    }
  },
};
