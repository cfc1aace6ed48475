// Drives the provider's DPoP (RFC 9449) with openid-client at its defaults,
// for cmd/tokenim-auth/dpop_e2e_test.go, as a public desktop app would:
// its own key pair, every token request and every call with a proof made
// by openid-client (nonces fetched and retried by it when the provider
// asks for them). The test writes one JSON object on stdin; each step
// prints one JSON line on stdout, {"step": NAME, ...}, which the test
// checks. A failure prints {"step": "error", "at": NAME, ...} and exits 1.
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

  progress.at = 'discovery'
  const desktop = await client.discovery(issuer, input.desktop.client_id, undefined, client.None(), options)
  emit(progress.at, { metadata: desktop.serverMetadata() })

  // The app's key pair: the private key never leaves it.
  progress.at = 'key'
  const keyPair = await client.randomDPoPKeyPair('ES256')
  const DPoP = client.getDPoPHandle(desktop, keyPair)
  emit(progress.at, { jwk: await crypto.subtle.exportKey('jwk', keyPair.publicKey) })

  progress.at = 'device_authorization'
  const da = await client.initiateDeviceAuthorization(desktop, { scope: input.desktop.scope })
  emit(progress.at, { authorization: da })

  progress.at = 'device_token'
  const device = await client.pollDeviceAuthorizationGrant(desktop, da, undefined, { DPoP })
  emit(progress.at, response(device))

  progress.at = 'userinfo'
  emit(progress.at, { userinfo: await client.fetchUserInfo(desktop, device.access_token, device.claims().sub, { DPoP }) })

  progress.at = 'resource'
  const res = await client.fetchProtectedResource(desktop, device.access_token, new URL(input.service_url), 'GET', undefined, undefined, { DPoP })
  emit(progress.at, { status: res.status, body: await res.text() })

  progress.at = 'refresh'
  const refreshed = await client.refreshTokenGrant(desktop, device.refresh_token, undefined, { DPoP })
  emit(progress.at, response(refreshed))

  // The refresh token is bound to the app's key: without a proof, or with
  // a proof of another key, it is refused and stays good.
  await refused('refresh_without_proof', () => client.refreshTokenGrant(desktop, refreshed.refresh_token))
  const thief = client.getDPoPHandle(desktop, await client.randomDPoPKeyPair('ES256'))
  await refused('refresh_other_key', () => client.refreshTokenGrant(desktop, refreshed.refresh_token, undefined, { DPoP: thief }))

  progress.at = 'refresh_again'
  emit(progress.at, response(await client.refreshTokenGrant(desktop, refreshed.refresh_token, undefined, { DPoP })))

  progress.at = 'done'
  emit(progress.at, {})
}

await run(main)
