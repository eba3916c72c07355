// --auth smart: SMART on FHIR over mutual TLS. TEST ONLY.
//
// oidc-provider (a certified OpenID Provider, pinned in package.json) runs in this
// process under BASE_ORIGIN/oauth, served by the FHIR port's own mutual-TLS server:
// the device authorization grant (RFC 8628), access tokens bound to the client
// certificate the TLS connection presented (RFC 8705, cnf x5t#S256), rotating refresh
// tokens, revocation (RFC 7009), RFC 8414 / OpenID metadata. A public client (default
// client_id "ehrterm", no client authentication) may ask for SMART v2 user/ scopes plus
// openid, fhirUser and offline_access. Nobody logs in through a browser here: the
// control port approves or denies a pending user code as a Practitioner (faults.js).
//
// What oidc-provider leaves to its host, added here: the interval in the device
// authorization response and slow_down for a client that polls faster (RFC 8628 3.5);
// SMART's .well-known/smart-configuration; the FHIR side's check of the bearer token,
// its certificate binding and its scopes (authorize()).
'use strict';

const crypto = require('node:crypto');
const { pathToFileURL } = require('node:url');
const { requestInteractions, LETTER } = require('./access');

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const OIDC_SCOPES = ['openid', 'fhirUser', 'offline_access'];
const LETTERS = 'cruds';
// Expired artifacts stay findable this long, so a late poll is told expired_token
// rather than "not found".
const GRACE_MS = 3600 * 1000;

/** Every SMART v2 letter combination, in the order cruds, for scope matching. */
function letterSets() {
  const out = [];
  for (let mask = 1; mask < 32; mask++) {
    out.push([...LETTERS].filter((_, i) => mask & (1 << i)).join(''));
  }
  return out;
}

/** user/TYPE.LETTERS (v2) or user/TYPE.read|write|* (v1) -> { type, letters } or undefined. */
function parseScope(scope) {
  const m = /^user\/([A-Za-z]+|\*)\.([a-z*]+)$/.exec(scope);
  if (!m) {
    return undefined;
  }
  const v1 = { read: 'rs', write: 'cud', '*': 'cruds' }[m[2]];
  if (v1) {
    return { type: m[1], letters: v1 };
  }
  return /^c?r?u?d?s?$/.test(m[2]) ? { type: m[1], letters: m[2] } : undefined;
}

/** The in-memory store behind oidc-provider's models, which also remembers what was revoked. */
class Store {
  constructor() {
    this.items = new Map(); // "Model:id" -> { model, id, payload, expiresAt }
    this.gone = new Map(); // "Model:id" -> { model, id, grantId, accountId, reason, at }
    this.writes = 0;
  }

  sweep() {
    if (++this.writes % 200) {
      return;
    }
    const now = Date.now();
    for (const [k, e] of this.items) {
      if (e.expiresAt && now > e.expiresAt + GRACE_MS) {
        this.items.delete(k);
      }
    }
  }

  remove(k, reason) {
    const e = this.items.get(k);
    if (e) {
      this.items.delete(k);
      this.gone.set(k, { model: e.model, id: e.id, grantId: e.payload.grantId, accountId: e.payload.accountId, reason, at: new Date().toISOString() });
    }
  }

  adapter() {
    const store = this;
    return class SandboxAdapter {
      constructor(model) {
        this.model = model;
      }

      async upsert(id, payload, expiresIn) {
        store.sweep();
        store.items.set(`${this.model}:${id}`, { model: this.model, id, payload: structuredClone(payload), expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
      }

      async find(id) {
        const e = store.items.get(`${this.model}:${id}`);
        return e && (!e.expiresAt || Date.now() <= e.expiresAt + GRACE_MS) ? structuredClone(e.payload) : undefined;
      }

      async findByUserCode(userCode) {
        for (const e of store.items.values()) {
          if (e.model === this.model && e.payload.userCode === userCode) {
            return structuredClone(e.payload);
          }
        }
        return undefined;
      }

      async findByUid(uid) {
        for (const e of store.items.values()) {
          if (e.model === this.model && e.payload.uid === uid) {
            return structuredClone(e.payload);
          }
        }
        return undefined;
      }

      async consume(id) {
        const e = store.items.get(`${this.model}:${id}`);
        if (e) {
          e.payload.consumed = Math.floor(Date.now() / 1000);
        }
      }

      async destroy(id) {
        store.remove(`${this.model}:${id}`, 'revoked');
      }

      async revokeByGrantId(grantId) {
        for (const [k, e] of store.items) {
          if (e.payload.grantId === grantId) {
            store.remove(k, 'revoked');
          }
        }
      }
    };
  }
}

/**
 * Starts the authorization server for the FHIR base `base` (https://localhost:N/fhir).
 * opts: { clientId, codeTtl, tokenTtl, refreshTtl, interval, types (resource types
 * for scopes_supported: type -> letters offered), account(id) -> { reference, display }
 * | undefined, oidcProviderPath }. Resolves to the object the server and the control
 * port use (see the end of this function).
 */
async function startSmart(base, opts) {
  // oidc-provider prints its notices with console.info, i.e. on stdout, which carries
  // only the sandbox's ready line: send them to stderr.
  console.info = (...args) => console.error(...args);
  const { default: Provider, errors } = await import(pathToFileURL(opts.oidcProviderPath).href);

  const origin = new URL(base).origin;
  const issuer = `${origin}/oauth`;
  const store = new Store();
  const polls = new Map(); // device_code -> { interval (s), last (ms), userCode, times, slowed (ms) }
  let slowDowns = 0; // POST /device/slow-down: the next polls waiting for approval told slow_down

  // The resource server's scopes: every user/ scope of every type, v2 letters and v1 names.
  const resourceScopes = new Set();
  for (const type of ['*', ...Object.keys(opts.types)]) {
    for (const l of letterSets()) {
      resourceScopes.add(`user/${type}.${l}`);
    }
    for (const v1 of ['read', 'write', '*']) {
      resourceScopes.add(`user/${type}.${v1}`);
    }
  }

  const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: crypto.randomBytes(8).toString('hex'), alg: 'ES256', use: 'sig' };

  const fhirUserOf = (accountId) => `${base}/Practitioner/${accountId}`;
  const instructions = (userCode = 'BCDF-GHJK') =>
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>ehrterm sandbox (TEST ONLY)</title></head><body>' +
    '<h1>ehrterm FHIR sandbox: TEST ONLY</h1><p>This test server has no sign-in page. A test lists the pending user ' +
    'codes and approves one as a Practitioner on the control port:</p><pre>' +
    `curl ${opts.controlUrl()}/device/pending\n` +
    `curl -X POST '${opts.controlUrl()}/device/approve?user_code=${/^[A-Z]{4}-[A-Z]{4}$/.test(userCode) ? userCode : 'BCDF-GHJK'}&amp;practitioner=clinician'` +
    '</pre></body></html>';
  const provider = new Provider(issuer, {
    adapter: store.adapter(),
    clients: [
      {
        client_id: opts.clientId,
        client_name: 'ehrterm',
        token_endpoint_auth_method: 'none',
        grant_types: [DEVICE_GRANT, 'refresh_token'],
        response_types: [],
        redirect_uris: [],
        tls_client_certificate_bound_access_tokens: true,
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [jwk] },
    // Were the confirmation submitted, the interaction: the same page.
    interactions: { url: async (ctx, interaction) => `/oauth/interaction/${interaction.uid}` },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    scopes: OIDC_SCOPES,
    claims: { openid: ['sub'], fhirUser: ['fhirUser'] },
    // The id_token carries fhirUser (SMART), not only the userinfo endpoint.
    conformIdTokenClaims: false,
    findAccount: async (ctx, sub) =>
      opts.account(sub)
        ? {
            accountId: sub,
            claims: async () => ({ sub, fhirUser: fhirUserOf(sub) }),
          }
        : undefined,
    extraTokenClaims: async (ctx, token) => (token.accountId ? { fhirUser: fhirUserOf(token.accountId) } : undefined),
    features: {
      devInteractions: { enabled: false },
      deviceFlow: {
        enabled: true,
        charset: 'base-20',
        mask: '****-****',
        // The verification page: no one signs in here; it says how the control port approves.
        userCodeInputSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = instructions();
        },
        // verification_uri_complete submits its code to the confirmation: the same, with the code.
        userCodeConfirmSource: async (ctx, form, client, deviceInfo, userCode) => {
          ctx.type = 'html';
          ctx.body = instructions(userCode);
        },
      },
      // A public client may revoke its own tokens; another client's are left alone (RFC 7009 2.1).
      revocation: { enabled: true, allowedPolicy: async (ctx, client, token) => token.clientId === client.clientId },
      introspection: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      dPoP: { enabled: false },
      mTLS: {
        enabled: true,
        certificateBoundAccessTokens: true,
        // The certificate the TLS connection presented (the server required one).
        getCertificate: (ctx) => ctx.socket?.getPeerX509Certificate?.() ?? undefined,
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => base,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (ctx, resource) => {
          if (resource !== base) {
            throw new errors.InvalidTarget(`the only resource here is ${base}`);
          }
          return { scope: [...resourceScopes].join(' '), audience: base, accessTokenTTL: opts.tokenTtl, accessTokenFormat: 'opaque' };
        },
      },
    },
    ttl: {
      AccessToken: opts.tokenTtl,
      DeviceCode: opts.codeTtl,
      RefreshToken: opts.refreshTtl,
      IdToken: 3600,
      Grant: 14 * 24 * 3600,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
    },
    rotateRefreshToken: () => true,
    issueRefreshToken: async (ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    clientBasedCORS: () => false,
    renderError: async (ctx, out) => {
      ctx.type = 'json';
      ctx.body = out;
    },
  });
  provider.proxy = false;

  const FHIR_JSON = 'application/fhir+json; charset=utf-8';
  const denormalize = (code) => code.replace(/^(.{4})(.{4})$/, '$1-$2');
  const normalize = (code) => String(code).toUpperCase().replace(/\W/g, '');
  const epoch = () => Math.floor(Date.now() / 1000);
  const lettersOf = Object.fromEntries(Object.entries(opts.types).filter(([, l]) => l));
  const scopesSupported = [...OIDC_SCOPES, ...Object.keys(lettersOf).sort().map((t) => `user/${t}.${lettersOf[t]}`)];

  // What oidc-provider leaves to its host: the interval and slow_down of RFC 8628,
  // fhirUser beside the tokens, and the control port's faults on these answers.
  provider.use(async (ctx, next) => {
    await next();
    const route = ctx.oidc?.route;
    const body = ctx.body && typeof ctx.body === 'object' && !Buffer.isBuffer(ctx.body) ? ctx.body : undefined;
    const poll = route === 'token' && ctx.oidc.params?.grant_type === DEVICE_GRANT ? polls.get(String(ctx.oidc.params.device_code)) : undefined;
    if (poll) {
      poll.times.push(Date.now()); // every poll's time, for the control port's GET /device/polls
    }
    if (route === 'device_authorization' && ctx.status === 200 && body?.device_code) {
      body.interval = opts.interval;
      polls.set(body.device_code, { interval: opts.interval, last: 0, userCode: body.user_code, times: [], slowed: [] });
    } else if (poll && body?.error === 'authorization_pending') {
      const p = poll;
      const now = Date.now();
      const early = p.last && now - p.last < p.interval * 1000;
      if (early || slowDowns > 0) {
        if (!early) {
          slowDowns--; // POST /device/slow-down: this poll is told so though it was on time
        }
        p.interval += 5; // RFC 8628 3.5: for this and every later poll
        p.slowed.push(now);
        ctx.body = { error: 'slow_down', error_description: early ? `polled again after ${now - p.last} ms; poll every ${p.interval} s from now on` : `poll every ${p.interval} s from now on` };
      }
      p.last = now;
    } else if (route === 'token' && ctx.status === 200 && body?.access_token && ctx.oidc.entities?.AccessToken?.accountId) {
      // SMART puts fhirUser in the id_token; it is here too, for a client that reads no JWT.
      body.fhirUser = fhirUserOf(ctx.oidc.entities.AccessToken.accountId);
      // The access token holds the resource scopes only; the answer's scope names the
      // OpenID ones granted too, as SMART servers answer.
      const source = ctx.oidc.entities.DeviceCode ?? ctx.oidc.entities.RefreshToken;
      const oidc = String(source?.scope ?? '').split(' ').filter((x) => OIDC_SCOPES.includes(x));
      body.scope = [...oidc, ...String(body.scope ?? '').split(' ').filter(Boolean)].join(' ');
    }
    const f = ctx.req.sandboxFault;
    if (f && ctx.body && typeof ctx.body === 'object' && !Buffer.isBuffer(ctx.body)) {
      ctx.body = opts.damage(f, Buffer.from(JSON.stringify(ctx.body)));
      ctx.type = 'application/json';
    }
  });
  const callback = provider.callback();

  const uris = () => ({
    token: provider.urlFor('token'),
    authorize: provider.urlFor('authorization'),
    revoke: provider.urlFor('revocation'),
  });

  function smartConfiguration() {
    return {
      issuer,
      jwks_uri: provider.urlFor('jwks'),
      authorization_endpoint: provider.urlFor('authorization'),
      token_endpoint: provider.urlFor('token'),
      // RFC 8628's metadata name (RFC 8414 registry), as an extension of SMART's document.
      device_authorization_endpoint: provider.urlFor('device_authorization'),
      revocation_endpoint: provider.urlFor('revocation'),
      grant_types_supported: [DEVICE_GRANT, 'refresh_token'],
      token_endpoint_auth_methods_supported: ['none'],
      scopes_supported: scopesSupported,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      tls_client_certificate_bound_access_tokens: true,
      capabilities: ['permission-v2', 'permission-v1', 'permission-user', 'permission-offline', 'client-public', 'sso-openid-connect'],
    };
  }

  /** Hands a request for /oauth/... or the RFC 8414 metadata path to oidc-provider. */
  function handle(req, res, fault) {
    const url = req.url;
    if (/^\/oauth\/interaction\//.test(url)) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(instructions());
      return undefined;
    }
    req.originalUrl = url;
    if (url.startsWith('/.well-known/oauth-authorization-server/oauth')) {
      // RFC 8414 3: the issuer's path after the well-known name; the same document as
      // the OpenID discovery one under the issuer.
      req.originalUrl = '/oauth/.well-known/openid-configuration';
      req.url = '/.well-known/openid-configuration';
    } else {
      req.url = url.slice('/oauth'.length) || '/';
    }
    req.sandboxFault = fault;
    return callback(req, res);
  }

  const deny = (status, challenge, code, text) => ({
    response: {
      status,
      headers: { 'Content-Type': FHIR_JSON, 'WWW-Authenticate': challenge },
      body: Buffer.from(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, details: { text } }] })),
    },
  });
  const bearer = (params) => `Bearer realm="${base}"${params ? `, ${params}` : ''}`;
  const invalidToken = (text) => deny(401, bearer(`error="invalid_token", error_description="${text}"`), 'login', text);

  /**
   * The FHIR side's check of a request under --auth smart: { open: true } for
   * /metadata; { response } (401 with WWW-Authenticate and an OperationOutcome) without a
   * good token bound to this connection's certificate; else { user, accountId, scope },
   * with forbidden (a 403 response) when the token lacks a scope the request needs.
   */
  async function authorize(req, method, fhirPath, body) {
    const { steps } = requestInteractions(method, fhirPath, body);
    if (steps.length === 1 && steps[0].interaction === 'capabilities') {
      return { open: true };
    }
    const header = String(req.headers.authorization ?? '');
    if (!header) {
      return deny(401, bearer(), 'login', 'This server needs a SMART access token (Authorization: Bearer ...); see .well-known/smart-configuration');
    }
    const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
    if (!m) {
      return deny(401, bearer('error="invalid_request", error_description="the Authorization header is not a Bearer token"'), 'login', 'The Authorization header is not a Bearer token');
    }
    const at = await provider.AccessToken.find(m[1], { ignoreExpiration: true });
    if (!at) {
      return invalidToken('the access token is not known here (revoked, or never issued)');
    }
    if (at.isExpired) {
      return invalidToken('the access token has expired');
    }
    if (![at.aud].flat().includes(base)) {
      return invalidToken('the access token is not for this server');
    }
    const cert = req.socket.getPeerX509Certificate?.();
    const x5t = cert ? crypto.createHash('sha256').update(cert.raw).digest('base64url') : undefined;
    if (!at['x5t#S256'] || at['x5t#S256'] !== x5t) {
      return invalidToken('the access token is bound to another client certificate');
    }
    const user = opts.account(at.accountId);
    if (!user) {
      return invalidToken('the access token names no user of this server');
    }
    const granted = String(at.scope ?? '').split(' ').map(parseScope).filter(Boolean);
    const missing = [];
    for (const s of steps) {
      const letter = LETTER[s.interaction];
      if (letter && !granted.some((g) => (g.type === '*' || g.type === s.type) && g.letters.includes(letter))) {
        const want = `user/${s.type}.${letter}`;
        if (!missing.includes(want)) {
          missing.push(want);
        }
      }
    }
    if (missing.length) {
      const text = `The access token does not grant ${missing.join(' ')} (granted: ${at.scope || 'nothing'})`;
      return { user, accountId: at.accountId, scope: at.scope, forbidden: deny(403, bearer(`error="insufficient_scope", scope="${missing.join(' ')}"`), 'forbidden', text).response };
    }
    return { user, accountId: at.accountId, scope: at.scope };
  }

  // --- the control port's calls (TEST ONLY) ------------------------------------------
  const fail = (status, message) => Object.assign(new Error(message), { status });

  function pending() {
    const now = Date.now();
    const out = [];
    for (const e of store.items.values()) {
      const p = e.payload;
      if (e.model === 'DeviceCode' && !p.accountId && !p.error && !p.consumed && e.expiresAt > now) {
        out.push({ user_code: denormalize(p.userCode), client_id: p.clientId, scope: p.params?.scope ?? '', expires_in: Math.round((e.expiresAt - now) / 1000), interval: polls.get(e.id)?.interval ?? opts.interval });
      }
    }
    return out;
  }

  async function findPending(userCode) {
    if (!userCode) {
      throw fail(400, 'user_code is required');
    }
    const dc = await provider.DeviceCode.findByUserCode(normalize(userCode), { ignoreExpiration: true });
    if (!dc) {
      throw fail(404, `no device code with user code ${userCode}`);
    }
    if (dc.isExpired) {
      throw fail(410, `user code ${userCode} has expired`);
    }
    if (dc.accountId || dc.error || dc.consumed) {
      throw fail(409, `user code ${userCode} was already ${dc.error ? 'denied' : 'approved'}`);
    }
    return dc;
  }

  /** Approves a pending user code as Practitioner/practitioner, granting scopes (default: all asked for). */
  async function approve(userCode, practitioner, scopes) {
    const dc = await findPending(userCode);
    if (!practitioner || !opts.account(practitioner)) {
      throw fail(400, `practitioner must name a Practitioner of this server (such as clinician), not ${practitioner}`);
    }
    const asked = String(dc.params?.scope ?? '').split(' ').filter(Boolean);
    let give = asked;
    if (scopes !== undefined && scopes !== null) {
      const want = String(scopes).split(/[\s,]+/).filter(Boolean);
      // A scope asked for, or one narrowed from it (user/Appointment.rs of .cruds: the
      // person at the phone let the app read appointments but not book them).
      const narrows = (w, a) => {
        const pw = parseScope(w);
        const pa = parseScope(a);
        return pw && pa && pw.type === pa.type && [...pw.letters].every((l) => pa.letters.includes(l));
      };
      const extra = want.filter((w) => !asked.some((a) => a === w || narrows(w, a)));
      if (extra.length) {
        throw fail(400, `the client did not ask for ${extra.join(' ')} (it asked for: ${asked.join(' ')})`);
      }
      give = [...asked.filter((a) => want.includes(a)), ...want.filter((w) => !asked.includes(w))];
    }
    const oidc = give.filter((s) => OIDC_SCOPES.includes(s));
    const resource = give.filter((s) => resourceScopes.has(s));
    const grant = new provider.Grant({ accountId: practitioner, clientId: dc.clientId });
    if (oidc.length) {
      grant.addOIDCScope(oidc.join(' '));
    }
    if (resource.length) {
      grant.addResourceScope(base, resource.join(' '));
    }
    const grantId = await grant.save();
    Object.assign(dc, { accountId: practitioner, grantId, authTime: epoch(), scope: [...oidc, ...resource].join(' '), resource: base });
    await dc.save();
    return {
      user_code: denormalize(dc.userCode),
      practitioner,
      fhirUser: fhirUserOf(practitioner),
      granted: [...oidc, ...resource].join(' '),
      not_granted: asked.filter((s) => !oidc.includes(s) && !resource.includes(s)).join(' '),
      grant: grantId,
    };
  }

  async function deny_(userCode) {
    const dc = await findPending(userCode);
    dc.error = 'access_denied';
    dc.errorDescription = 'the user denied the request';
    await dc.save();
    return { user_code: denormalize(dc.userCode), denied: true };
  }

  const refused = new Set(); // "Model:id" the control port expired

  function stateOf(k, e, now = Date.now()) {
    if (!e) {
      const g = store.gone.get(k);
      return g ? { model: g.model, state: 'revoked', grant: g.grantId, accountId: g.accountId, revokedAt: g.at } : undefined;
    }
    const p = e.payload;
    const state = e.expiresAt && e.expiresAt <= now ? (refused.has(k) ? 'refused' : 'expired') : p.consumed ? 'consumed' : 'active';
    return { model: e.model, state, grant: p.grantId, accountId: p.accountId, scope: p.scope, expiresAt: e.expiresAt ? new Date(e.expiresAt).toISOString() : undefined, ...(p['x5t#S256'] ? { 'x5t#S256': p['x5t#S256'] } : {}) };
  }

  /** { token } for ?token=VALUE, { grant, tokens } for ?grant=ID, else counts by model and state. */
  function tokens(query) {
    const models = ['AccessToken', 'RefreshToken', 'DeviceCode', 'Grant'];
    const value = query.get('token') ?? query.get('refresh_token') ?? query.get('access_token');
    if (value) {
      for (const model of models) {
        const k = `${model}:${value}`;
        const s = stateOf(k, store.items.get(k));
        if (s) {
          return { token: s };
        }
      }
      return { token: { state: 'unknown' } };
    }
    const grant = query.get('grant');
    const counts = {};
    const list = [];
    const add = (k, e) => {
      const s = stateOf(k, e);
      if (grant && s.grant !== grant && !(s.model === 'Grant' && k === `Grant:${grant}`)) {
        return;
      }
      counts[s.model] ??= {};
      counts[s.model][s.state] = (counts[s.model][s.state] ?? 0) + 1;
      if (grant) {
        list.push(s);
      }
    };
    for (const [k, e] of store.items) {
      if (models.includes(e.model)) {
        add(k, e);
      }
    }
    for (const [k, g] of store.gone) {
      if (models.includes(g.model)) {
        add(k, undefined);
      }
    }
    return grant ? { grant, counts, tokens: list } : { counts };
  }

  /** Expires every token of the model issued so far (refresh: the next refresh is refused). */
  function expireAll(model) {
    const now = Date.now();
    let n = 0;
    for (const [k, e] of store.items) {
      if (e.model === model && (!e.expiresAt || e.expiresAt > now) && !e.payload.consumed) {
        e.payload.exp = epoch() - 1;
        e.expiresAt = now;
        refused.add(k);
        n++;
      }
    }
    return n;
  }

  return {
    issuer,
    provider,
    handle,
    authorize,
    smartConfiguration,
    uris,
    control: {
      pending,
      approve,
      deny: deny_,
      tokens,
      /** The next N polls of a device code still waiting are answered slow_down. */
      slowDown: (n) => {
        const k = n === undefined ? 1 : Number(n);
        if (!Number.isInteger(k) || k < 1 || k > 100) {
          throw fail(400, `count must be a whole number from 1 to 100, not ${n}`);
        }
        slowDowns += k;
        return { slow_down: slowDowns };
      },
      /** Each device code's polls: user_code, interval (s, after slow_downs), polled and slowed (epoch ms). */
      polls: () => ({
        polls: [...polls.values()].map((p) => ({ user_code: p.userCode, interval: p.interval, polled: p.times, slowed: p.slowed })),
      }),
      refuseRefresh: () => ({ refused: expireAll('RefreshToken') }),
      expireAccess: () => ({ expired: expireAll('AccessToken') }),
    },
  };
}

module.exports = { startSmart, parseScope, letterSets, DEVICE_GRANT };
