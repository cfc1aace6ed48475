// Registers a client with openid-client's dynamicClientRegistration (RFC
// 7591), as a bot or an agent would, then signs a user in with it through
// the authorization code flow, for TestDynamicClientRegistration in
// cmd/tokenim-auth/registration_e2e_test.go. The test writes one JSON line
// on stdin (the issuer, the initial access token, the metadata, the
// redirect URI); the script prints one JSON line a step on stdout,
// {"step": NAME, ...}. After printing the authorization URL it reads the
// next line of stdin: the URL the browser was sent back to. A failure
// prints {"step": "error", "at": NAME, ...} and exits 1.
//
// As in flows.mjs, the only setting changed from openid-client's defaults
// is allowInsecureRequests: the provider under test serves plain http.
import * as client from 'openid-client'
import * as readline from 'node:readline'

let at = 'input'

function emit(step, value) {
  process.stdout.write(JSON.stringify({ step, ...value }) + '\n')
}

async function main() {
  const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]()
  const input = JSON.parse((await lines.next()).value)
  const issuer = new URL(input.issuer)

  at = 'registered'
  const config = await client.dynamicClientRegistration(issuer, input.metadata, undefined, {
    execute: [client.allowInsecureRequests],
    initialAccessToken: input.initial_access_token,
  })
  emit(at, { metadata: config.clientMetadata() })

  at = 'authorization_url'
  const verifier = client.randomPKCECodeVerifier()
  const state = client.randomState()
  const nonce = client.randomNonce()
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: input.redirect_uri,
    scope: input.scope,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  })
  emit(at, { url: url.href })

  at = 'tokens'
  const back = await lines.next()
  const tokens = await client.authorizationCodeGrant(config, new URL(back.value), {
    pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce,
  })
  const claims = tokens.claims()
  emit(at, { response: { ...tokens }, claims })

  at = 'userinfo'
  emit(at, { userinfo: await client.fetchUserInfo(config, tokens.access_token, claims.sub) })

  at = 'refresh'
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token)
  emit(at, { response: { ...refreshed } })

  emit('done', {})
  process.exit(0)
}

main().catch((err) => {
  emit('error', { at, name: err?.name, code: err?.code, error: err?.error, message: String(err?.message ?? err), cause: err?.cause ?? null })
  process.exit(1)
})
