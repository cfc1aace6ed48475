// Passkeys (WebAuthn) on the provider's pages: adding one on the account
// page, signing in with one (a button, and the email field's autofill),
// and using one as the second step. Each ceremony asks the provider for
// options, hands them to the browser, and posts the browser's answer
// back; the provider checks everything. Without WebAuthn, nothing here
// runs and the pages' forms work as they are.
(function () {
  'use strict';
  if (!window.PublicKeyCredential || !navigator.credentials) {
    return;
  }

  function toBytes(s) {
    var b = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4));
    var out = new Uint8Array(b.length);
    for (var i = 0; i < b.length; i++) {
      out[i] = b.charCodeAt(i);
    }
    return out.buffer;
  }

  function toText(buf) {
    var b = new Uint8Array(buf), s = '';
    for (var i = 0; i < b.length; i++) {
      s += String.fromCharCode(b[i]);
    }
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function decodeList(list) {
    return (list || []).map(function (c) {
      return Object.assign({}, c, { id: toBytes(c.id) });
    });
  }

  function creationOptions(pk) {
    return Object.assign({}, pk, {
      challenge: toBytes(pk.challenge),
      user: Object.assign({}, pk.user, { id: toBytes(pk.user.id) }),
      excludeCredentials: decodeList(pk.excludeCredentials)
    });
  }

  function requestOptions(pk) {
    return Object.assign({}, pk, {
      challenge: toBytes(pk.challenge),
      allowCredentials: decodeList(pk.allowCredentials)
    });
  }

  // answer is the PublicKeyCredential as JSON (WebAuthn §5.1.8).
  function answer(cred) {
    if (typeof cred.toJSON === 'function') {
      return cred.toJSON();
    }
    var r = cred.response, out = {
      id: cred.id, rawId: toText(cred.rawId), type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      response: { clientDataJSON: toText(r.clientDataJSON) }
    };
    if (r.attestationObject) {
      out.response.attestationObject = toText(r.attestationObject);
      out.response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      out.response.authenticatorData = toText(r.authenticatorData);
      out.response.signature = toText(r.signature);
      if (r.userHandle) {
        out.response.userHandle = toText(r.userHandle);
      }
    }
    return out;
  }

  function field(name) {
    var el = document.querySelector('input[name="' + name + '"]');
    return el ? el.value : '';
  }

  function post(url, body) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': field('csrf_token') },
      body: JSON.stringify(body || {})
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) {
          throw new Error(data.error || '');
        }
        return data;
      });
    });
  }

  function showError(box, err) {
    var p = box.querySelector('[data-passkey-error]');
    if (!p || (err && err.name === 'AbortError')) {
      return;
    }
    // A DOMException is the browser's (the user cancelled, a timeout):
    // the page's own text. The provider's errors carry a text of theirs.
    var text = err && !(err instanceof DOMException) && err.message;
    p.textContent = text || p.getAttribute('data-failed');
    p.hidden = false;
  }

  function reveal(box) {
    box.hidden = false;
    document.querySelectorAll('[data-passkey-unsupported]').forEach(function (el) {
      el.hidden = true;
    });
  }

  // Adding a passkey on the account page.
  document.querySelectorAll('form[data-passkey="register"]').forEach(function (form) {
    reveal(form);
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var button = form.querySelector('button');
      button.disabled = true;
      post(form.action + '/options').then(function (opts) {
        return navigator.credentials.create({ publicKey: creationOptions(opts.publicKey) }).then(function (cred) {
          return post(form.action, { state: opts.state, name: form.elements.name.value, credential: answer(cred) });
        });
      }).then(function (done) {
        window.location.assign(done.redirect);
      }).catch(function (err) {
        button.disabled = false;
        showError(form, err);
      });
    });
  });

  // Signing in: "Sign in with a passkey", autofill, and the second step.
  document.querySelectorAll('[data-passkey="signin"], [data-passkey="second"]').forEach(function (box) {
    reveal(box);
    var button = box.querySelector('button');
    var conditional = null;
    var where = function () { return { flow: field('flow'), next: field('next') }; };

    function run(mediation) {
      return post(box.getAttribute('data-options'), where()).then(function (opts) {
        var req = { publicKey: requestOptions(opts.publicKey) };
        if (mediation) {
          conditional = new AbortController();
          req.mediation = mediation;
          req.signal = conditional.signal;
        }
        return navigator.credentials.get(req).then(function (cred) {
          return post(box.getAttribute('data-finish'), Object.assign({ state: opts.state, credential: answer(cred) }, where()));
        });
      }).then(function (done) {
        window.location.assign(done.redirect);
      });
    }

    button.addEventListener('click', function () {
      if (conditional) {
        conditional.abort();
        conditional = null;
      }
      button.disabled = true;
      run('').catch(function (err) {
        button.disabled = false;
        showError(box, err);
      });
    });

    if (box.hasAttribute('data-autofill') && PublicKeyCredential.isConditionalMediationAvailable) {
      PublicKeyCredential.isConditionalMediationAvailable().then(function (ok) {
        if (ok) {
          run('conditional').catch(function (err) { showError(box, err); });
        }
      });
    }
  });
}());
