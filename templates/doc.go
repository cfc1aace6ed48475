// Package templates holds the provider's page templates and the static
// files they link to, embedded in the binary.
//
// The root holds layout.html, which every page is rendered inside, and one
// file per page (login.html, mfa.html, consent.html, logout.html,
// logged_out.html, register.html, check_email.html, forgot.html,
// reset.html, account.html, message.html, error.html, and the developer
// portal's apps.html, app_form.html, secret_shown.html and
// delete_app.html, and the admin console's admin_*.html, which share the
// navigation and notices of admin_partials.html and link static/admin.css);
// each page defines the "title" and "main" templates the layout calls. static/ holds what is served under /static/. Text is
// never written into a template: every string comes from provider/web's
// message catalogue through the t function, so each page reads the same in
// English and Simplified Chinese. provider/web parses the pages once at start-up
// and refuses to start if a page, a message or a static file is missing.
//
// The pages run under a Content-Security-Policy that allows only
// same-origin style sheets and same-origin or data: images (the account
// page's QR code): no JavaScript, no inline style attributes, no <style>
// blocks and no external fonts. form_post.html alone has a script, the one
// line that submits its form, allowed by its hash.
package templates
