// What the scripts of this folder share: each step prints one JSON line
// on stdout, {"step": NAME, ...}, which the Go test reads and checks; a
// failure prints {"step": "error", "at": NAME, ...} and exits 1.
import * as client from 'openid-client'

// progress.at names the step under way, for the error line.
export const progress = { at: 'input' }

export function emit(step, value) {
  process.stdout.write(JSON.stringify({ step, ...value }) + '\n')
}

// response is a token endpoint response without its helper methods, with
// the claims of its ID token, if any.
export function response(tokens) {
  return { response: { ...tokens }, claims: tokens.claims() ?? null }
}

// refused runs request, expected to fail with an OAuth error, as step and
// prints the error ("" when it did not fail).
export async function refused(step, request) {
  progress.at = step
  try {
    await request()
    emit(step, { error: '' })
  } catch (err) {
    if (!(err instanceof client.ResponseBodyError)) throw err
    emit(step, { error: err.error, error_description: err.error_description })
  }
}

// readStdin is the JSON object the test wrote on stdin.
export async function readStdin() {
  let text = ''
  for await (const chunk of process.stdin) text += chunk
  return JSON.parse(text)
}

// run runs main and prints its failure, if any.
export async function run(main) {
  try {
    await main()
  } catch (err) {
    emit('error', {
      at: progress.at,
      name: err?.name,
      code: err?.code,
      message: err?.message,
      error: err?.error,
      error_description: err?.error_description,
      status: err?.status,
      // A WWWAuthenticateChallengeError's cause is the parsed challenges,
      // with the server's error and error_description.
      cause: err?.cause instanceof Error ? err.cause.message : err?.cause,
    })
    process.exitCode = 1
  }
}
