package platform_test

import (
	"net/http"
	"net/url"
	"testing"

	"golang.org/x/oauth2"

	"github.com/tokenim/tokenim-auth/provider/upstream"
	"github.com/tokenim/tokenim-auth/provider/upstream/platform"
	"github.com/tokenim/tokenim-auth/storage"
)

// GitHub's OAuth web application flow:
// https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps

const (
	githubToken = "/login/oauth/access_token"
	githubCode  = "8a3c1f0e5b7d2946"
	// The access token of the documentation's example.
	githubAccess = "gho_16C7e42F292c6912E7710c838347Ae178B4a"
)

func githubCase() kindCase {
	return kindCase{config: platform.Config{ID: "gh", Kind: storage.ConnectorGitHub, ClientID: "Iv1.8a61f9b3a7aba766", ClientSecret: secret, RedirectURL: redirectURI},
		docs: githubDocs, tokenPath: githubToken, auth: "/login/oauth/authorize",
		// https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-authorization-request-errors#access-denied
		denied: url.Values{"error": {"access_denied"}, "error_description": {"The user has denied your application access."}, "state": {"st"}}}
}

// githubDocs answers as GitHub's documentation shows, checking each
// request against it.
func githubDocs(t *testing.T, f *fake) {
	// "2. Users are redirected back to your site by GitHub": POST
	// https://github.com/login/oauth/access_token, with Accept:
	// application/json the answer is
	// {"access_token":"gho_16C7e42F292c6912E7710c838347Ae178B4a","scope":"repo,gist","token_type":"bearer"}
	// https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#2-users-are-redirected-back-to-your-site-by-github
	f.route(githubToken, func(w http.ResponseWriter, r *http.Request) {
		expect(t, "token method", r.Method, http.MethodPost)
		expect(t, "token Accept", r.Header.Get("Accept"), "application/json")
		_ = r.ParseForm()
		expect(t, "client_id", r.PostForm.Get("client_id"), "Iv1.8a61f9b3a7aba766")
		expect(t, "client_secret", r.PostForm.Get("client_secret"), secret)
		expect(t, "redirect_uri", r.PostForm.Get("redirect_uri"), redirectURI)
		if r.PostForm.Get("code") != githubCode || r.PostForm.Get("code_verifier") == "" {
			// A bad code is 200 with an error field:
			// https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors#bad-verification-code
			answer(w, http.StatusOK, `{"error":"bad_verification_code","error_description":"The code passed is incorrect or expired.","error_uri":"https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code"}`)
			return
		}
		answer(w, http.StatusOK, `{"access_token":"`+githubAccess+`","scope":"repo,gist","token_type":"bearer"}`)
	})
	api := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			expect(t, "API Authorization", r.Header.Get("Authorization"), "Bearer "+githubAccess)
			expect(t, "API version", r.Header.Get("X-GitHub-Api-Version"), "2022-11-28")
			if r.Header.Get("User-Agent") == "" {
				t.Error("API request without a User-Agent")
			}
			answer(w, http.StatusOK, body)
		}
	}
	// GET /user, "Response" example (abridged):
	// https://docs.github.com/en/rest/users/users#get-the-authenticated-user
	f.route("/user", api(`{"login":"octocat","id":1,"node_id":"MDQ6VXNlcjE=","avatar_url":"https://github.com/images/error/octocat_happy.gif","gravatar_id":"","url":"https://api.github.com/users/octocat","html_url":"https://github.com/octocat","type":"User","site_admin":false,"name":"monalisa octocat","company":"GitHub","blog":"https://github.com/blog","location":"San Francisco","email":"octocat@github.com","hireable":false,"bio":"There once was...","twitter_username":"monatheoctocat","public_repos":2,"public_gists":1,"followers":20,"following":0,"created_at":"2008-01-14T04:33:35Z","updated_at":"2008-01-14T04:33:35Z","two_factor_authentication":true}`))
	// GET /user/emails, "Response" example:
	// https://docs.github.com/en/rest/users/emails#list-email-addresses-for-the-authenticated-user
	f.route("/user/emails", api(`[{"email":"octocat@github.com","verified":true,"primary":true,"visibility":"public"}]`))
}

func TestGitHubAuthorizationRequest(t *testing.T) {
	t.Parallel()
	c, err := platform.New(githubCase().config)
	if err != nil {
		t.Fatal(err)
	}
	verifier := oauth2.GenerateVerifier()
	u, q := authQuery(t, c, "st4te", verifier)
	expect(t, "authorization endpoint", u.Scheme+"://"+u.Host+u.Path, "https://github.com/login/oauth/authorize")
	// "1. Request a user's GitHub identity": client_id, redirect_uri,
	// scope, state, code_challenge, code_challenge_method.
	wantQuery(t, q, map[string]string{
		"client_id": "Iv1.8a61f9b3a7aba766", "redirect_uri": redirectURI, "scope": "read:user user:email", "state": "st4te",
		"response_type": "code", "code_challenge": oauth2.S256ChallengeFromVerifier(verifier), "code_challenge_method": "S256",
	})
}

func TestGitHubSignIn(t *testing.T) {
	t.Parallel()
	_, c := start(t, githubCase(), nil)
	id := mustSignIn(t, c, callback(githubCode), oauth2.GenerateVerifier())
	wantIdentity(t, id, upstream.Identity{Connector: "gh", Subject: "1", Username: "octocat", Name: "monalisa octocat", Email: "octocat@github.com", EmailVerified: true})
}

func TestGitHubBadCodeRefused(t *testing.T) {
	t.Parallel()
	f, c := start(t, githubCase(), nil)
	_, err := signIn(t, c, callback("expired-code"), oauth2.GenerateVerifier())
	wantErr(t, err, upstream.ErrRefused, "bad_verification_code")
	if f.hit("/user") != 0 {
		t.Fatal("the user was read after the code was refused")
	}
}

// TestGitHubWrongSecretUnavailable: GitHub refusing the client's
// credentials (200 with error incorrect_client_credentials) is this
// connector's configuration, not the user: ErrUnavailable.
// https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors#incorrect-client-credentials
func TestGitHubWrongSecretUnavailable(t *testing.T) {
	t.Parallel()
	f, c := start(t, githubCase(), nil)
	f.answerWith(githubToken, http.StatusOK, `{"error":"incorrect_client_credentials","error_description":"The client_id and/or client_secret passed are incorrect.","error_uri":"https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#incorrect-client-credentials"}`)
	_, err := signIn(t, c, callback(githubCode), oauth2.GenerateVerifier())
	wantErr(t, err, upstream.ErrUnavailable, "incorrect_client_credentials")
}

// TestGitHubWithoutEmailScope: without user:email GitHub refuses the
// address list (403, "Resource not accessible by integration" for a
// GitHub App); the profile's public address is taken, unverified.
func TestGitHubWithoutEmailScope(t *testing.T) {
	t.Parallel()
	f, c := start(t, githubCase(), nil)
	// https://docs.github.com/en/rest/users/emails#list-email-addresses-for-the-authenticated-user: 403 Forbidden.
	f.answerWith("/user/emails", http.StatusForbidden, `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest/users/emails#list-email-addresses-for-the-authenticated-user","status":"403"}`)
	id := mustSignIn(t, c, callback(githubCode), oauth2.GenerateVerifier())
	wantIdentity(t, id, upstream.Identity{Connector: "gh", Subject: "1", Username: "octocat", Name: "monalisa octocat", Email: "octocat@github.com"})
}

func TestGitHubRevokedTokenRefused(t *testing.T) {
	t.Parallel()
	f, c := start(t, githubCase(), nil)
	// https://docs.github.com/en/rest/users/users#get-the-authenticated-user: 401 Requires authentication.
	f.answerWith("/user", http.StatusUnauthorized, `{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}`)
	_, err := signIn(t, c, callback(githubCode), oauth2.GenerateVerifier())
	wantErr(t, err, upstream.ErrRefused, "answered 401")
}

// TestGitHubUnusableIdentity: an id missing or a login with control
// characters: the first is refused, the second dropped.
func TestGitHubUnusableIdentity(t *testing.T) {
	t.Parallel()
	f, c := start(t, githubCase(), nil)
	f.answerWith("/user", http.StatusOK, `{"login":"octo\u0000cat","id":7,"name":"Mona\nLisa"}`)
	id := mustSignIn(t, c, callback(githubCode), oauth2.GenerateVerifier())
	wantIdentity(t, id, upstream.Identity{Connector: "gh", Subject: "7", Email: "octocat@github.com", EmailVerified: true})
	f.answerWith("/user", http.StatusOK, `{"login":"octocat","name":"no id"}`)
	_, err := signIn(t, c, callback(githubCode), oauth2.GenerateVerifier())
	wantErr(t, err, upstream.ErrRefused, "no id")
}

func TestGitHubEnterpriseEndpoints(t *testing.T) {
	t.Parallel()
	ep := platform.GitHubEnterprise("https://github.example.com/")
	want := platform.Endpoints{AuthURL: "https://github.example.com/login/oauth/authorize", TokenURL: "https://github.example.com/login/oauth/access_token", APIURL: "https://github.example.com/api/v3"}
	if ep != want {
		t.Fatalf("endpoints %+v, want %+v", ep, want)
	}
}
