// SPDX-License-Identifier: GPL-3.0-or-later
//
// Microsoft's own client libraries, unmodified, against a fresh
// foyer-ms-sandbox (issue #16): @azure/msal-node for the identity platform
// and @microsoft/microsoft-graph-client for Graph. No custom network client:
// the only help they get is NODE_EXTRA_CA_CERTS naming the sandbox's CA,
// and ordinary configuration (the authority, knownAuthorities, the SDK's
// baseUrl and customHosts), as an app pointed at a national cloud would use.
// The browser steps of the sign-in are scripted with Node's fetch against
// the sandbox's HTML form. Output: TAP.
//
//   FOYER_SANDBOX_CLOUD=/tmp/x/cloud.json NODE_EXTRA_CA_CERTS=/tmp/x/ca.pem \
//     node conformance.cjs

'use strict';

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');

const msal = require('@azure/msal-node');
const graph = require('@microsoft/microsoft-graph-client');

const cloud = JSON.parse(fs.readFileSync(process.env.FOYER_SANDBOX_CLOUD, 'utf8'));
const loginHost = new URL(cloud.authority).host;
const graphUrl = new URL(cloud.graph);
const scopes = ['User.Read', 'Files.ReadWrite.All', 'Sites.Read.All'];
const redirectUri = 'http://localhost:8400/';
const ALICE = 'alice@contoso.example';

// ---- TAP ----------------------------------------------------------------

const steps = [];
function step(name, fn) {
  steps.push({ name, fn });
}

async function run() {
  console.log(`1..${steps.length}`);
  let failed = 0;
  for (let i = 0; i < steps.length; i++) {
    const { name, fn } = steps[i];
    const started = Date.now();
    try {
      await fn();
      console.log(`ok ${i + 1} - ${name} # ${Date.now() - started} ms`);
    } catch (error) {
      failed++;
      console.log(`not ok ${i + 1} - ${name}`);
      for (const line of String(error && error.stack ? error.stack : error).split('\n'))
        console.log(`# ${line}`);
      // Later steps build on earlier ones.
      for (let j = i + 1; j < steps.length; j++)
        console.log(`not ok ${j + 1} - ${steps[j].name} # SKIP an earlier step failed`);
      break;
    }
  }
  process.exitCode = failed > 0 ? 1 : 0;
}

// ---- the sandbox's control API (plain fetch; not part of what is tested) --

async function control(method, path, body) {
  const response = await fetch(cloud.control + path, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function requestLog(pathPart) {
  const log = await control('GET', '/requests');
  return log.value.filter((entry) => entry.path.includes(pathPart));
}

// ---- a scripted browser: fetch with a cookie jar, no automatic redirects -

const jar = new Map(); // host -> Map(name -> value)

function setCookies(response) {
  if (typeof response.headers.getSetCookie === 'function') return response.headers.getSetCookie();
  const header = response.headers.get('set-cookie');
  return header ? header.split(/,(?=\s*[A-Za-z0-9_]+=)/) : [];
}

async function browse(url, init = {}) {
  const host = new URL(url).host;
  const headers = { ...(init.headers || {}) };
  const cookies = jar.get(host);
  if (cookies && cookies.size > 0)
    headers.cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const response = await fetch(url, { ...init, headers, redirect: 'manual' });
  for (const cookie of setCookies(response)) {
    const pair = cookie.split(';')[0];
    const eq = pair.indexOf('=');
    if (!jar.has(host)) jar.set(host, new Map());
    jar.get(host).set(pair.slice(0, eq).trim(), pair.slice(eq + 1));
  }
  return response;
}

function formOf(html, pageUrl) {
  const ctx = /name="ctx" value="([^"]+)"/.exec(html);
  const action = /<form[^>]*action="([^"]+)"/.exec(html);
  assert.ok(ctx && action, `no sign-in form in: ${html.slice(0, 300)}`);
  return { ctx: ctx[1], action: new URL(action[1].replace(/&amp;/g, '&'), pageUrl).href };
}

async function post(url, fields) {
  return browse(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

// The person's part: the form, the password, the consent. Returns the
// redirect to the app (never followed: nothing listens there).
async function signInInBrowser(authorizeUrl, login, password) {
  let response = await browse(authorizeUrl);
  assert.equal(response.status, 200, 'the authorize page shows the sign-in form');
  let page = await response.text();
  let form = formOf(page, authorizeUrl);
  response = await post(form.action, { ctx: form.ctx, login, passwd: password });
  if (response.status === 200) {
    page = await response.text();
    assert.match(page, /Permissions requested/);
    form = formOf(page, authorizeUrl);
    response = await post(form.action, { ctx: form.ctx, accept: 'yes' });
  }
  assert.equal(response.status, 302);
  return new URL(response.headers.get('location'));
}

// ---- ID token validation (what MSAL leaves to the app) --------------------

function base64urlJson(part) {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

async function validateIdToken(idToken, nonce) {
  const [h, p, s] = idToken.split('.');
  const header = base64urlJson(h);
  const claims = base64urlJson(p);
  const configuration = await (
    await fetch(`${cloud.authority}/${cloud.tenantId}/v2.0/.well-known/openid-configuration`)
  ).json();
  const jwks = await (await fetch(configuration.jwks_uri)).json();
  const key = jwks.keys.find((k) => k.kid === header.kid);

  assert.equal(header.alg, 'RS256');
  assert.ok(key, `no key ${header.kid} in the JWKS`);
  // The key's certificate: x5t is its SHA-1 thumbprint, and it holds the same key.
  const der = Buffer.from(key.x5c[0], 'base64');
  assert.equal(crypto.createHash('sha1').update(der).digest('base64url'), key.x5t);
  const certificate = new crypto.X509Certificate(der);
  assert.equal(certificate.publicKey.export({ format: 'jwk' }).n, key.n);
  const valid = crypto.verify(
    'RSA-SHA256',
    Buffer.from(`${h}.${p}`),
    crypto.createPublicKey({ key, format: 'jwk' }),
    Buffer.from(s, 'base64url'),
  );
  assert.ok(valid, 'the ID token signature');
  assert.equal(claims.iss, configuration.issuer);
  assert.equal(claims.iss, `${cloud.authority}/${cloud.tenantId}/v2.0`);
  assert.equal(claims.aud, cloud.clientId);
  assert.equal(claims.tid, cloud.tenantId);
  assert.equal(claims.nonce, nonce);
  const now = Math.floor(Date.now() / 1000);
  assert.ok(claims.nbf <= now + 300 && claims.exp > now - 300, 'the ID token is current');
  return claims;
}

// ---- the steps ------------------------------------------------------------

const pca = new msal.PublicClientApplication({
  auth: {
    clientId: cloud.clientId,
    authority: `${cloud.authority}/${cloud.tenantId}`,
    // Not login.microsoftonline.com: skip instance discovery there.
    knownAuthorities: [loginHost],
  },
  system: {
    loggerOptions: {
      logLevel: msal.LogLevel.Warning,
      piiLoggingEnabled: false,
      loggerCallback: (level, message) => {
        if (process.env.CONFORMANCE_VERBOSE) console.error(`# msal: ${message}`);
      },
    },
  },
});

let signedIn; // msal's AuthenticationResult
let aliceToken;
let client; // Graph SDK client as Alice
let report; // Documents/Quarterly report.docx
let link; // its organization link

function graphClient(token) {
  return graph.Client.init({
    authProvider: (done) => done(null, token),
    baseUrl: `${graphUrl.origin}/`,
    defaultVersion: 'v1.0',
    customHosts: new Set([graphUrl.hostname]),
  });
}

step('authorization code with PKCE: msal-node builds the request, a person signs in', async () => {
  const cryptoProvider = new msal.CryptoProvider();
  const { verifier, challenge } = await cryptoProvider.generatePkceCodes();
  const state = cryptoProvider.createNewGuid();
  const nonce = cryptoProvider.createNewGuid();
  const request = { scopes, redirectUri, codeChallenge: challenge, codeChallengeMethod: 'S256', state, nonce };
  const url = await pca.getAuthCodeUrl(request);

  assert.ok(url.startsWith(`${cloud.authority}/${cloud.tenantId}/oauth2/v2.0/authorize?`), url);
  const back = await signInInBrowser(url, ALICE, 'alice-password');
  assert.equal(`${back.origin}${back.pathname}`, redirectUri);
  assert.equal(back.searchParams.get('state'), state);
  assert.ok(back.searchParams.get('client_info'), 'client_info on the redirect');

  // acquireTokenByCode, then the ID token checked as an app must.
  signedIn = await pca.acquireTokenByCode(
    { code: back.searchParams.get('code'), scopes, redirectUri, codeVerifier: verifier, state },
    {
      code: back.searchParams.get('code'),
      state: back.searchParams.get('state'),
      client_info: back.searchParams.get('client_info'),
      nonce,
    },
  );
  assert.ok(signedIn.accessToken);
  const claims = await validateIdToken(signedIn.idToken, nonce);
  const oid = cloud.users.find((u) => u.email === ALICE).oid;
  assert.equal(claims.oid, oid);
  assert.equal(claims.preferred_username, ALICE);
  assert.equal(signedIn.account.homeAccountId, `${oid}.${cloud.tenantId}`);
  assert.equal(signedIn.account.username, ALICE);
  assert.equal(signedIn.tenantId, cloud.tenantId);
  aliceToken = signedIn.accessToken;
});

step('acquireTokenSilent: the cached token, then a refresh', async () => {
  const cached = await pca.acquireTokenSilent({ account: signedIn.account, scopes });
  assert.equal(cached.accessToken, signedIn.accessToken);
  await control('DELETE', '/requests');
  const refreshed = await pca.acquireTokenSilent({ account: signedIn.account, scopes, forceRefresh: true });
  assert.notEqual(refreshed.accessToken, signedIn.accessToken);
  assert.equal((await requestLog('/oauth2/v2.0/token')).length, 1);
  aliceToken = refreshed.accessToken;
  client = graphClient(aliceToken);
  const me = await client.api('/me').get();
  assert.equal(me.mail, ALICE);
  assert.equal(me.userPrincipalName, ALICE);
});

step('PageIterator over three pages of Big folder', async () => {
  await control('DELETE', '/requests');
  const first = await client.api('/me/drive/root:/Big folder:/children').top(200).select('id,name').get();
  assert.ok(first['@odata.nextLink'].includes('$skiptoken='), first['@odata.nextLink']);
  const names = [];
  const iterator = new graph.PageIterator(client, first, (item) => {
    names.push(item.name);
    return names.length < 600;
  });
  await iterator.iterate();
  assert.equal(names.length, 600);
  assert.equal(names[0], 'Item 000000.txt');
  assert.equal(names[599], 'Item 000599.png');
  assert.equal(new Set(names).size, 600);
  const pages = await requestLog('/children');
  assert.equal(pages.length, 3, 'one request per page');
  assert.ok(pages[1].query.includes('$skiptoken='));
});

step('thumbnails: the list, and the content through the 302 to SharePoint', async () => {
  const beach = await client.api('/me/drive/root:/Documents/photos/Beach.jpg').get();
  const sets = await client.api(`/me/drive/items/${beach.id}/thumbnails`).get();
  assert.equal(sets.value[0].medium.width, 176);
  assert.ok(sets.value[0].medium.url.startsWith(cloud.sharepoint));
  const bytes = Buffer.from(
    await client
      .api(`/me/drive/items/${beach.id}/thumbnails/0/medium/content`)
      .responseType(graph.ResponseType.ARRAYBUFFER)
      .get(),
  );
  assert.equal(bytes[0], 0xff);
  assert.equal(bytes[1], 0xd8, 'a JPEG');
  assert.ok(beach['@microsoft.graph.downloadUrl'].startsWith(cloud.sharepoint));
});

step('createLink: 201 for a new link, 200 and the same one after', async () => {
  report = await client.api('/me/drive/root:/Documents/Quarterly report.docx').get();
  const body = { type: 'view', scope: 'organization' };
  const first = await client
    .api(`/me/drive/items/${report.id}/createLink`)
    .responseType(graph.ResponseType.RAW)
    .post(body);
  const again = await client
    .api(`/me/drive/items/${report.id}/createLink`)
    .responseType(graph.ResponseType.RAW)
    .post(body);
  assert.equal(first.status, 201);
  assert.equal(again.status, 200);
  const a = await first.json();
  const b = await again.json();
  assert.equal(a.id, b.id);
  assert.equal(a.link.scope, 'organization');
  assert.deepEqual(a.roles, ['read']);
  link = a.link.webUrl;
});

step('/shares/{u!…}/driveItem: Bob opens Alice\'s link', async () => {
  const bob = await control('POST', '/tokens', { email: 'bob@contoso.example' });
  const shareId = `u!${Buffer.from(link, 'utf8').toString('base64url')}`;
  const item = await graphClient(bob.access_token).api(`/shares/${shareId}/driveItem`).get();
  assert.equal(item.name, 'Quarterly report.docx');
  assert.equal(item.id, report.id);
});

step('invite: Carol gets read access', async () => {
  const result = await client.api(`/me/drive/items/${report.id}/invite`).post({
    recipients: [{ email: 'carol@contoso.example' }],
    roles: ['read'],
    requireSignIn: true,
    sendInvitation: false,
  });
  assert.equal(result.value.length, 1);
  assert.deepEqual(result.value[0].roles, ['read']);
  assert.equal(result.value[0].grantedToV2.user.email, 'carol@contoso.example');
});

step('the SDK\'s retry handler waits as Retry-After says', async () => {
  await control('DELETE', '/requests');
  await control('POST', '/faults', { pattern: '/v1.0/me', host: 'graph', status: 429, retryAfter: 1, times: 1 });
  const me = await client.api('/me').get();
  assert.equal(me.displayName, 'Alice Martin');
  const tries = await requestLog('/v1.0/me');
  assert.deepEqual(tries.map((t) => t.status), [429, 200]);
  assert.ok(tries[1].timestampMs - tries[0].timestampMs >= 1000, 'waited at least a second');
});

step('revocation: acquireTokenSilent asks for interaction', async () => {
  await control('POST', `/users/${encodeURIComponent(ALICE)}/revoke-tokens`);
  await assert.rejects(
    pca.acquireTokenSilent({ account: signedIn.account, scopes, forceRefresh: true }),
    (error) => {
      assert.ok(error instanceof msal.InteractionRequiredAuthError, `${error.name}: ${error.message}`);
      assert.match(error.message, /AADSTS50173/);
      return true;
    },
  );
});

run();
