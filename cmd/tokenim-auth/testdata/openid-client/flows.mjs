// Drives the provider with openid-client at its defaults, as a third-party
// app would, for cmd/tokenim-auth/openid_client_e2e_test.go. The test
// writes one JSON object on stdin (the issuer, the clients, the private key
// of the private_key_jwt client); each step prints one JSON line on stdout,
// {"step": NAME, ...}, which the test checks. A failure prints
// {"step": "error", "at": NAME, ...} and exits 1.
//
// The only setting changed from openid-client's defaults is
// allowInsecureRequests: the provider under test serves plain http on
// 127.0.0.1, which openid-client refuses otherwise.
import * as client from 'openid-client'
import { emit, progress, readStdin, refused, response, run } from './steps.mjs'

async function main() {
  const input = await readStdin()
  const issuer = new URL(input.issuer)
  const options = { execute: [client.allowInsecureRequests] }

  // A service signing in as itself with private_key_jwt.
  progress.at = 'discovery'
  const privateKey = await crypto.subtle.importKey('jwk', input.service.jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign'])
  const service = await client.discovery(issuer, input.service.client_id, undefined,
    client.PrivateKeyJwt({ key: privateKey, kid: input.service.jwk.kid }), options)
  emit(progress.at, { metadata: service.serverMetadata() })

  progress.at = 'client_credentials'
  const cc = await client.clientCredentialsGrant(service, { scope: input.service.scope })
  emit(progress.at, response(cc))

  // The resource server asks about tokens.
  const gateway = await client.discovery(issuer, input.gateway.client_id, undefined,
    client.ClientSecretBasic(input.gateway.client_secret), options)
  const introspect = async (name, token) => {
    progress.at = name
    emit(progress.at, { introspection: await client.tokenIntrospection(gateway, token) })
  }
  await introspect('introspect_client_credentials', cc.access_token)

  // A public desktop app signing a user in with the device grant; the test
  // approves in a browser when it reads the user code.
  progress.at = 'device_authorization'
  const desktop = await client.discovery(issuer, input.desktop.client_id, undefined, client.None(), options)
  const da = await client.initiateDeviceAuthorization(desktop, { scope: input.desktop.scope })
  emit(progress.at, { authorization: da })

  progress.at = 'device_token'
  const device = await client.pollDeviceAuthorizationGrant(desktop, da)
  emit(progress.at, response(device))

  progress.at = 'refresh'
  const refreshed = await client.refreshTokenGrant(desktop, device.refresh_token)
  emit(progress.at, response(refreshed))

  await introspect('introspect_refreshed', refreshed.access_token)
  await introspect('introspect_unknown', 'not-a-token-this-provider-issued')

  // Each client revokes its own tokens (RFC 7009), the service with a new
  // client assertion.
  progress.at = 'revoke_refresh'
  await client.tokenRevocation(desktop, refreshed.refresh_token)
  emit(progress.at, {})
  await introspect('introspect_revoked_refresh', refreshed.refresh_token)
  await introspect('introspect_revoked_refresh_access', refreshed.access_token)

  await refused('refresh_revoked', () => client.refreshTokenGrant(desktop, refreshed.refresh_token))

  progress.at = 'revoke_client_credentials'
  await client.tokenRevocation(service, cc.access_token)
  emit(progress.at, {})
  await introspect('introspect_revoked_client_credentials', cc.access_token)

  progress.at = 'done'
  emit(progress.at, {})
}

await run(main)
