// The FHIR REST behaviour the sandbox adds on top of @medplum/fhir-router.
//
// FhirRouter over a MemoryRepository alone falls short of a conformant FHIR R4
// server; each gap below is filled here, and each has a test in selftest.js:
//
//  - GET metadata is routed as a search for resource type "metadata"; here it
//    returns a CapabilityStatement listing what this server really does.
//  - Searches return no paging links, no fullUrl, ignore _elements, _summary,
//    _include and _revinclude, return every match when _count is absent, and
//    silently return nothing for a parameter they do not know. Here: default
//    page size 20 (at most 1000), absolute self/first/previous/next/last links
//    under the server's own base, fullUrl and search.mode on every entry,
//    _elements and _summary (true/text/data/count/false), _include and
//    _revinclude (one level), unknown parameters ignored (and left out of the
//    self link) unless the client sends Prefer: handling=strict, and a 400 for
//    things that are known but not implemented (chaining, _has, number and
//    quantity parameters, unsupported modifiers) instead of a wrong answer.
//  - String parameters match as FHIR says: starts-with by default (accents and
//    case ignored), :contains and :exact; the router matched "contains" for all.
//  - Reference parameters accept a bare id ("patient=123") and type modifiers
//    ("subject:Patient=123"), which the router matched against nothing.
//  - Conditional requests: If-None-Match / If-Modified-Since on read (304),
//    If-Match on PATCH and DELETE and on conditional update (the router only
//    checked it on a plain update), a bare If-Match version (3 as well as
//    W/"3"), If-None-Exist validated strictly so an unknown parameter cannot
//    turn a conditional create into a duplicate.
//  - Create ignores a client-supplied id (the router stored it, overwriting
//    whatever had that id); update of an id that does not exist answers 201.
//  - Inside a batch or transaction, a failing entry's OperationOutcome names the
//    entry's method and URL, and every response entry carries etag,
//    lastModified and a versioned location.
'use strict';

const crypto = require('node:crypto');
const { core, routerVersion } = require('./deps');
const {
  OperationOutcomeError,
  Operator,
  allOk,
  badRequest,
  created,
  deepClone,
  evalFhirPath,
  evalFhirPathTyped,
  getDataType,
  getExpressionForResourceType,
  getResourceTypes,
  getSearchParameters,
  isResourceType,
  multipleMatches,
  normalizeOperationOutcome,
  notModified,
  parseSearchRequest,
  preconditionFailed,
  splitSearchOnComma,
  toTypedValue,
  isOk,
} = core;
const { router: routerPkg } = require('./deps');
const { compiled } = require('./repo');

const DEFAULT_COUNT = 20;
const MAX_COUNT = 1000;
const SUPPORTED_PARAM_TYPES = new Set(['string', 'token', 'reference', 'date', 'uri']);
// Search result parameters this server implements.
const RESULT_PARAMS = new Set([
  '_count',
  '_offset',
  '_sort',
  '_elements',
  '_summary',
  '_include',
  '_revinclude',
  '_total',
  '_format',
  '_pretty',
]);
// Known FHIR search features this server does not implement: an error, never a wrong answer.
const UNSUPPORTED_PARAMS = new Set(['_has', '_type', '_list', '_query', '_filter', '_text', '_content', '_cursor', '_contained', '_containedType']);
// Medplum-only parameters that core adds to every type; not part of FHIR R4.
const HIDDEN_PARAMS = new Set(['_compartment']);
const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };

function fail(outcome) {
  throw new OperationOutcomeError(outcome);
}

function notSupported(message) {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: 'not-supported', details: { text: message } }],
  };
}

function header(req, name) {
  const v = req.headers?.[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The search parameters of a type that this server can evaluate, by code. */
function usableParams(resourceType) {
  const out = {};
  for (const [code, p] of Object.entries(getSearchParameters(resourceType) ?? {})) {
    if (!HIDDEN_PARAMS.has(code) && SUPPORTED_PARAM_TYPES.has(p.type) && p.expression) {
      out[code] = p;
    }
  }
  return out;
}

/** Query pairs from a router query object ({k: v | v[]}) or a query string. */
function queryPairs(query) {
  if (typeof query === 'string') {
    return [...new URLSearchParams(query)];
  }
  const pairs = [];
  for (const [k, v] of Object.entries(query ?? {})) {
    for (const value of Array.isArray(v) ? v : [v ?? '']) {
      pairs.push([k, String(value)]);
    }
  }
  return pairs;
}

// --- search parsing ---------------------------------------------------------

/**
 * Checks and normalises search pairs and turns them into a SearchRequest.
 * @param resourceType - the type searched
 * @param pairs - [name, value] pairs, in request order
 * @param opts - { strict, base }: strict turns unknown parameters into a 400
 * @returns {{ request, used: [string, string][], ignored: string[] }} where
 *   used holds the pairs as the client wrote them (for links) and ignored the
 *   names of unknown parameters that were left out.
 */
function parseSearch(resourceType, pairs, { strict = false, base = '' } = {}) {
  const params = usableParams(resourceType);
  const all = getSearchParameters(resourceType) ?? {};
  const used = [];
  const ignored = [];
  const routerQuery = new URLSearchParams(); // what the router's own matcher evaluates
  const stringFilters = []; // what stringMatcher() evaluates
  for (const [key, value] of pairs) {
    const [code, modifier = ''] = splitKey(key);
    if (code === '_') {
      continue; // cache buster some clients add
    }
    if (RESULT_PARAMS.has(code)) {
      checkResultParam(resourceType, code, modifier, value, params);
      used.push([key, value]);
      routerQuery.append(key, value);
      continue;
    }
    if (UNSUPPORTED_PARAMS.has(code) || key.includes('.')) {
      fail(notSupported(`Search parameter ${key} (chaining, _has, _type, _filter, ...) is not supported by the sandbox`));
    }
    const param = params[code];
    if (!param) {
      if (all[code] && !HIDDEN_PARAMS.has(code)) {
        fail(notSupported(`Search parameter ${code} of type ${all[code].type} is not supported by the sandbox`));
      }
      if (strict) {
        fail(badRequest(`Unknown search parameter ${code} for ${resourceType}`));
      }
      ignored.push(key);
      continue;
    }
    used.push([key, value]);
    if (modifier === 'missing') {
      if (value !== 'true' && value !== 'false') {
        fail(badRequest(`${key} must be true or false`));
      }
      routerQuery.append(key, value);
      continue;
    }
    switch (param.type) {
      case 'string':
        if (!['', 'contains', 'exact'].includes(modifier)) {
          fail(notSupported(`Modifier :${modifier} on string parameter ${code} is not supported`));
        }
        stringFilters.push({ param, modifier, values: splitSearchOnComma(value) });
        break;
      case 'token':
        if (!['', 'not'].includes(modifier)) {
          fail(notSupported(`Modifier :${modifier} on token parameter ${code} is not supported`));
        }
        routerQuery.append(key, value);
        break;
      case 'date':
      case 'uri':
        if (modifier) {
          fail(notSupported(`Modifier :${modifier} on ${param.type} parameter ${code} is not supported`));
        }
        routerQuery.append(key, value);
        break;
      case 'reference':
        if (modifier && !isResourceType(modifier)) {
          fail(notSupported(`Modifier :${modifier} on reference parameter ${code} is not supported`));
        }
        // the router sees the normalised value, without the type modifier
        routerQuery.append(code, normalizeReferenceValue(param, modifier, value, base));
        break;
    }
  }

  const request = parseSearchRequest(`${resourceType}?${routerQuery}`);
  if (stringFilters.length) {
    request.extraMatch = stringMatcher(resourceType, stringFilters);
  }
  if (request.count === undefined) {
    request.count = DEFAULT_COUNT;
  }
  request.count = Math.min(request.count, MAX_COUNT);
  request.offset = request.offset ?? 0;
  return { request, used, ignored };
}

function splitKey(key) {
  const i = key.indexOf(':');
  return i < 0 ? [key, ''] : [key.slice(0, i), key.slice(i + 1)];
}

function checkResultParam(resourceType, code, modifier, value, params) {
  const nonNegative = (v) => /^\d+$/.test(v);
  switch (code) {
    case '_count':
    case '_offset':
      if (!nonNegative(value)) {
        fail(badRequest(`${code} must be a non-negative integer`));
      }
      break;
    case '_summary':
      if (!['true', 'false', 'text', 'data', 'count'].includes(value)) {
        fail(badRequest(`_summary must be one of true, false, text, data, count`));
      }
      break;
    case '_total':
      if (!['none', 'estimate', 'accurate'].includes(value)) {
        fail(badRequest(`_total must be none, estimate or accurate`));
      }
      break;
    case '_sort':
      for (const f of value.split(',')) {
        const c = f.replace(/^-/, '');
        if (!params[c]) {
          fail(badRequest(`Cannot sort ${resourceType} on ${c}`));
        }
      }
      break;
    case '_include':
    case '_revinclude': {
      if (modifier === 'iterate') {
        fail(notSupported(`${code}:iterate is not supported by the sandbox`));
      }
      const [type, paramCode, target] = value.split(':');
      const p = getSearchParameters(type ?? '')?.[paramCode ?? ''];
      if (!p || p.type !== 'reference' || (code === '_include' && type !== resourceType)) {
        fail(badRequest(`Invalid ${code} value ${value}`));
      }
      if (target && !isResourceType(target)) {
        fail(badRequest(`Invalid ${code} target type ${target}`));
      }
      break;
    }
  }
}

/** patient=123 -> Patient/123; subject:Patient=123 -> Patient/123; full URLs under our base -> relative. */
function normalizeReferenceValue(param, modifier, value, base) {
  return splitSearchOnComma(value)
    .flatMap((v) => {
      if (base && v.startsWith(base + '/')) {
        v = v.slice(base.length + 1);
      }
      if (v.includes('/') || v.includes(':')) {
        return [v];
      }
      if (modifier) {
        return [`${modifier}/${v}`];
      }
      const targets = param.target?.length ? param.target : getResourceTypes();
      return targets.map((t) => `${t}/${v}`);
    })
    .join(',');
}

/** FHIR string matching: starts-with (case and accents ignored), :contains, :exact. */
function stringMatcher(resourceType, filters) {
  const fold = (s) =>
    s
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .toLowerCase();
  for (const f of filters) {
    f.ast = compiled(getExpressionForResourceType(resourceType, f.param.expression) ?? f.param.expression);
  }
  return (resource) =>
    filters.every(({ ast, modifier, values }) => {
      const parts = stringParts(evalFhirPathTyped(ast, [toTypedValue(resource)]));
      return values.some((want) => {
        if (modifier === 'exact') {
          return parts.includes(want);
        }
        const w = fold(want);
        return parts.some((p) => (modifier === 'contains' ? fold(p).includes(w) : fold(p).startsWith(w)));
      });
    });
}

/** The separately searchable strings of typed values (each part of a HumanName or Address). */
function stringParts(typedValues) {
  const out = [];
  const add = (v) => {
    if (typeof v === 'string' && v) {
      out.push(v);
    }
  };
  for (const { type, value } of typedValues) {
    if (type === 'HumanName') {
      [value.family, ...(value.given ?? []), ...(value.prefix ?? []), ...(value.suffix ?? []), value.text].forEach(add);
    } else if (type === 'Address') {
      [...(value.line ?? []), value.city, value.district, value.state, value.postalCode, value.country, value.text].forEach(
        add
      );
    } else if (typeof value === 'string') {
      add(value);
    }
  }
  return out;
}

// --- _elements and _summary -------------------------------------------------

/**
 * Applies _elements / _summary to one resource (in place) and tags it
 * SUBSETTED when elements were left out. Mandatory elements are always kept.
 */
function subset(resource, { elements, summary }) {
  if (!resource || (!elements && !['true', 'text', 'data'].includes(summary))) {
    return resource;
  }
  const schema = getDataType(resource.resourceType);
  const mandatory = Object.entries(schema.elements)
    .filter(([path, e]) => e.min > 0 && !path.includes('.'))
    .map(([path]) => path.replace('[x]', ''));
  let keep;
  // Element paths below the root ("rest.resource.type"), as some servers take them:
  // R4 defines _elements on root elements only, so a client asking this must cope
  // with a server that gives the root elements alone (or everything).
  let nested;
  if (elements) {
    nested = pathTree(elements.filter((e) => e.includes('.')));
    keep = new Set([...elements.filter((e) => !e.includes('.')), ...Object.keys(nested), ...mandatory]);
  } else if (summary === 'true') {
    keep = new Set([...(schema.summaryProperties ?? []), ...mandatory]);
  } else if (summary === 'text') {
    keep = new Set(['text', ...mandatory]);
  } else if (summary === 'data') {
    keep = new Set(Object.keys(resource).filter((k) => k !== 'text'));
  }
  const base = (k) => k.replace(/^_/, '');
  const kept = (k) => {
    const name = base(k);
    if (keep.has(name) || ['resourceType', 'id', 'meta'].includes(name)) {
      return true;
    }
    // choice elements: value -> valueQuantity, deceased -> deceasedBoolean
    return [...keep].some((e) => name.startsWith(e) && /^[A-Z]/.test(name.slice(e.length)));
  };
  for (const k of Object.keys(resource)) {
    if (!kept(k)) {
      delete resource[k];
    } else if (nested && nested[base(k)] && !elements.includes(base(k))) {
      resource[k] = prune(resource[k], nested[base(k)]);
    }
  }
  resource.meta = { ...resource.meta, tag: [...(resource.meta?.tag ?? []), SUBSETTED] };
  return resource;
}

// ["rest.mode", "rest.resource.type"] -> { rest: { mode: {}, resource: { type: {} } } }
function pathTree(paths) {
  const tree = {};
  for (const p of paths) {
    let node = tree;
    for (const part of p.split('.')) {
      node = node[part] ??= {};
    }
  }
  return tree;
}

// VALUE with only the children TREE names (each whole when it names none below it).
function prune(value, tree) {
  if (Array.isArray(value)) {
    return value.map((v) => prune(v, tree));
  }
  if (!value || typeof value !== 'object' || !Object.keys(tree).length) {
    return value;
  }
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    const sub = tree[k.replace(/^_/, '')];
    if (sub) {
      out[k] = prune(v, sub);
    }
  }
  return out;
}

function subsetOptions(pairs) {
  let elements;
  let summary;
  for (const [k, v] of pairs) {
    if (k === '_elements') {
      elements = [...(elements ?? []), ...v.split(',').map((s) => s.trim()).filter(Boolean)];
    } else if (k === '_summary') {
      summary = v;
    }
  }
  return { elements, summary };
}

// --- links -----------------------------------------------------------------

function encodeQueryPart(s) {
  // Readable but unambiguous: keep : , / unescaped, as FHIR examples write them.
  return encodeURIComponent(s).replace(/%3A/gi, ':').replace(/%2C/gi, ',').replace(/%2F/gi, '/');
}

function pageLink(base, path, used, count, offset) {
  const parts = used
    .filter(([k]) => k !== '_count' && k !== '_offset')
    .map(([k, v]) => `${encodeQueryPart(k)}=${encodeQueryPart(v)}`);
  if (count > 0) {
    parts.push(`_count=${count}`); // _summary=count (count 0) says it all
  }
  if (offset > 0) {
    parts.push(`_offset=${offset}`);
  }
  return `${base}/${path}?${parts.join('&')}`;
}

function pagingLinks(base, path, used, { count, offset, total }) {
  const link = [{ relation: 'self', url: pageLink(base, path, used, count, offset) }];
  if (count > 0) {
    link.push({ relation: 'first', url: pageLink(base, path, used, count, 0) });
    if (offset > 0) {
      link.push({ relation: 'previous', url: pageLink(base, path, used, count, Math.max(0, offset - count)) });
    }
    if (offset + count < total) {
      link.push({ relation: 'next', url: pageLink(base, path, used, count, offset + count) });
    }
    if (total > 0) {
      link.push({ relation: 'last', url: pageLink(base, path, used, count, Math.floor((total - 1) / count) * count) });
    }
  }
  return link;
}

// --- conditional headers ----------------------------------------------------

/** W/"3", "3" or 3 -> "3"; * stays *; anything else is a 400 (a silently ignored If-Match loses updates). */
function parseVersionTag(value, name) {
  if (value === undefined) {
    return undefined;
  }
  const v = value.trim();
  if (v === '*') {
    return '*';
  }
  const m = /^(?:W\/)?"([^"]+)"$/.exec(v) ?? /^([A-Za-z0-9\-.]{1,64})$/.exec(v);
  if (!m) {
    fail(badRequest(`Malformed ${name} header: ${value}`));
  }
  return m[1];
}

function checkIfMatch(repo, req, resourceType, id) {
  const want = parseVersionTag(header(req, 'if-match'), 'If-Match');
  if (want === undefined) {
    return undefined;
  }
  const current = repo.peek(resourceType, id);
  if (!current || (want !== '*' && current.meta?.versionId !== want)) {
    fail(current ? preconditionFailed : core.notFound);
  }
  return want;
}

/**
 * A searchset's weak ETag: a digest of the Bundle as sent, so the same search over the same
 * data has the same tag and any change to a match (a new version, one more or one fewer)
 * another. Searches answer If-None-Match with it as reads do (a 304 with no body), on a GET
 * and in a batch entry, so a client that keeps a search's answer revalidates it for a few
 * hundred bytes.
 */
function searchEtag(bundle) {
  return `W/"${crypto.createHash('sha256').update(JSON.stringify(bundle)).digest('hex').slice(0, 20)}"`;
}

function searchNotModified(req, etag) {
  const inm = header(req, 'if-none-match');
  return inm !== undefined && inm.split(',').some((tag) => tag.trim() === etag || tag.trim() === etag.slice(2));
}

function notModifiedFor(req, resource) {
  const inm = header(req, 'if-none-match');
  if (inm !== undefined) {
    return inm.split(',').some((tag) => {
      const v = tag.trim();
      return v === '*' || parseVersionTag(v, 'If-None-Match') === resource.meta?.versionId;
    });
  }
  const ims = header(req, 'if-modified-since');
  if (ims !== undefined) {
    const since = Date.parse(ims);
    const updated = Date.parse(resource.meta?.lastUpdated ?? '');
    // HTTP dates have whole seconds
    return !Number.isNaN(since) && !Number.isNaN(updated) && Math.floor(updated / 1000) * 1000 <= since;
  }
  return false;
}

// --- the router ---------------------------------------------------------------

/**
 * Builds the FhirRouter with the sandbox's handlers in place of the router's own
 * where those fall short. ctx: { base() -> "https://localhost:N/fhir", software }.
 */
function createRouter(ctx) {
  const fhirRouter = new routerPkg.FhirRouter();
  const original = new Map(fhirRouter.router.routes.map((r) => [`${r.method} ${pathString(r)}`, r.handler]));

  const handlers = {
    'GET metadata': async (req) => [allOk, capabilityStatement(ctx, subsetOptions(queryPairs(req.query)))],
    'GET ': async () => [notSupported('System-level search is not supported by the sandbox')],
    'GET :resourceType': search,
    'POST :resourceType/_search': search,
    'GET :resourceType/:id': read,
    'GET :resourceType/:id/_history': history,
    'POST :resourceType': create,
    'PUT :resourceType/:id': update,
    'PUT :resourceType': conditionalUpdate,
    'PATCH :resourceType/:id': async (req, repo, r, opts) => {
      checkIfMatch(repo, req, req.params.resourceType, req.params.id);
      return original.get('PATCH :resourceType/:id')(req, repo, r, opts);
    },
    'DELETE :resourceType/:id': async (req, repo, r, opts) => {
      checkIfMatch(repo, req, req.params.resourceType, req.params.id);
      return original.get('DELETE :resourceType/:id')(req, repo, r, opts);
    },
    'DELETE :resourceType': async (req, repo) => {
      const { request } = parseSearch(req.params.resourceType, queryPairs(req.query), { strict: true, base: ctx.base() });
      await repo.conditionalDelete(request);
      return [allOk];
    },
    'PATCH :resourceType': async () => [notSupported('Conditional patch is not supported by the sandbox')],
    'POST ': batch,
  };

  fhirRouter.add('GET', 'metadata', handlers['GET metadata'], 'capabilities');
  for (const route of fhirRouter.router.routes) {
    const key = `${route.method} ${pathString(route)}`;
    route.handler = guard(handlers[key] ?? route.handler);
  }
  return fhirRouter;

  // Every handler: the type must be a FHIR resource type, and inside a batch a
  // failure names the entry it came from.
  function guard(handler) {
    return async (req, repo, r, opts) => {
      const type = req.params?.resourceType;
      if (type !== undefined && !isResourceType(type)) {
        return [{ ...deepClone(core.notFound), issue: [{ severity: 'error', code: 'not-found', details: { text: `Unknown resource type ${type}` } }] }];
      }
      try {
        const result = await handler(req, repo, r, opts);
        if (opts?.batch && !isOk(result[0]) && result[0] !== notModified) {
          result[0] = annotate(result[0], req);
        }
        return result;
      } catch (err) {
        if (!opts?.batch) {
          throw err;
        }
        throw new OperationOutcomeError(annotate(normalizeOperationOutcome(err), req));
      }
    };
  }

  function annotate(outcome, req) {
    const o = deepClone(outcome);
    const where = `Bundle entry ${req.method} ${req.url}${req.query && Object.keys(req.query).length ? '?' + new URLSearchParams(queryPairs(req.query)) : ''}`;
    if (o.issue?.[0]) {
      o.issue[0].diagnostics = o.issue[0].diagnostics ? `${where}: ${o.issue[0].diagnostics}` : where;
    }
    return o;
  }

  async function search(req, repo) {
    const { resourceType } = req.params;
    const pairs =
      req.method === 'POST' ? [...queryPairs(req.query), ...queryPairs(req.body ?? {})] : queryPairs(req.query);
    const strict = /handling\s*=\s*strict/i.test(header(req, 'prefer') ?? '');
    const { request, used } = parseSearch(resourceType, pairs, { strict, base: ctx.base() });
    const result = await repo.search(request);
    const base = ctx.base();
    const subsetting = subsetOptions(used);
    const entry = (result.entry ?? []).map(({ resource }) => ({
      fullUrl: `${base}/${resource.resourceType}/${resource.id}`,
      resource: subset(resource, subsetting),
      search: { mode: 'match' },
    }));
    const included = await includes(repo, request, (result.entry ?? []).map((e) => e.resource));
    for (const resource of included) {
      entry.push({ fullUrl: `${base}/${resource.resourceType}/${resource.id}`, resource, search: { mode: 'include' } });
    }
    const bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      total: request.total === 'none' ? undefined : result.total,
      link: pagingLinks(base, resourceType, used, { count: request.count, offset: request.offset, total: result.total }),
      entry: entry.length ? entry : undefined,
    };
    if (searchNotModified(req, searchEtag(bundle))) {
      return [notModified];
    }
    return [allOk, bundle];
  }

  async function read(req, repo) {
    const { resourceType, id } = req.params;
    const resource = await repo.readResource(resourceType, id);
    if (notModifiedFor(req, resource)) {
      return [notModified, resource];
    }
    return [allOk, subset(resource, subsetOptions(queryPairs(req.query)))];
  }

  async function history(req, repo) {
    const { resourceType, id } = req.params;
    const pairs = queryPairs(req.query);
    const q = Object.fromEntries(pairs);
    for (const k of ['_count', '_offset']) {
      if (q[k] !== undefined && !/^\d+$/.test(q[k])) {
        fail(badRequest(`${k} must be a non-negative integer`));
      }
    }
    const count = Math.min(q._count === undefined ? DEFAULT_COUNT : Number(q._count), MAX_COUNT);
    const offset = q._offset === undefined ? 0 : Number(q._offset);
    const bundle = await repo.readHistory(resourceType, id, { offset, limit: count });
    const base = ctx.base();
    bundle.link = pagingLinks(base, `${resourceType}/${id}/_history`, [], { count, offset, total: bundle.total });
    bundle.entry = bundle.entry.map(({ resource }) => ({
      fullUrl: `${base}/${resourceType}/${id}`,
      resource,
      request: { method: resource.meta.versionId === '1' ? 'POST' : 'PUT', url: resource.meta.versionId === '1' ? resourceType : `${resourceType}/${id}` },
      response: {
        status: resource.meta.versionId === '1' ? '201' : '200',
        etag: `W/"${resource.meta.versionId}"`,
        lastModified: resource.meta.lastUpdated,
      },
    }));
    if (!bundle.entry.length) {
      delete bundle.entry;
    }
    return [allOk, bundle];
  }

  async function create(req, repo, _r, opts) {
    const { resourceType } = req.params;
    const resource = req.body;
    if (!resource || typeof resource !== 'object' || Array.isArray(resource)) {
      return [badRequest('The request body must be a FHIR resource')];
    }
    if (!opts?.batch) {
      delete resource.id; // the server assigns ids on create (FHIR R4 3.1.0.7.1)
    }
    const ifNoneExist = header(req, 'if-none-exist');
    if (ifNoneExist !== undefined) {
      const query = ifNoneExist.replace(/^.*\?/, '');
      const { request } = parseSearch(resourceType, queryPairs(query), { strict: true, base: ctx.base() });
      request.count = 2;
      request.offset = 0;
      const matches = (await repo.search(request)).entry ?? [];
      if (matches.length > 1) {
        fail(multipleMatches);
      }
      if (matches.length === 1) {
        return [allOk, matches[0].resource];
      }
    }
    return routerPkg.createResourceImpl(resourceType, resource, repo, { assignedId: Boolean(opts?.batch) });
  }

  async function update(req, repo) {
    const { resourceType, id } = req.params;
    const resource = req.body;
    if (!resource || typeof resource !== 'object' || Array.isArray(resource)) {
      return [badRequest('The request body must be a FHIR resource')];
    }
    const ifMatch = checkIfMatch(repo, req, resourceType, id);
    const existed = Boolean(repo.peek(resourceType, id));
    const [outcome, result] = await routerPkg.updateResourceImpl(resourceType, id, resource, repo, {
      ifMatch: ifMatch === '*' ? undefined : ifMatch,
    });
    return [existed || !isOk(outcome) ? outcome : created, result];
  }

  async function conditionalUpdate(req, repo, _r, opts) {
    const { resourceType } = req.params;
    const { request } = parseSearch(resourceType, queryPairs(req.query), { strict: true, base: ctx.base() });
    request.count = 2;
    request.offset = 0;
    const matches = (await repo.search(request)).entry ?? [];
    if (matches.length > 1) {
      fail(multipleMatches);
    }
    if (matches.length === 1) {
      req.params = { resourceType, id: matches[0].resource.id };
      if (req.body && typeof req.body === 'object' && req.body.id === undefined) {
        req.body.id = matches[0].resource.id;
      }
      return update(req, repo);
    }
    if (header(req, 'if-match') !== undefined) {
      fail(core.notFound);
    }
    if (req.body?.id && !opts?.batch) {
      return [badRequest('Cannot create by conditional update with a client-assigned id')];
    }
    return routerPkg.createResourceImpl(resourceType, req.body, repo, { assignedId: Boolean(opts?.batch) });
  }

  async function batch(req, repo, r) {
    const bundle = req.body;
    if (bundle?.resourceType !== 'Bundle') {
      return [badRequest('Not a Bundle')];
    }
    if (bundle.type !== 'batch' && bundle.type !== 'transaction') {
      return [badRequest(`Bundle.type must be batch or transaction, not ${bundle.type}`)];
    }
    if (bundle.type === 'transaction' && ctx.noTransactions) {
      return [badRequest('this server does not support transactions (the sandbox runs with --no-transactions)')];
    }
    if (bundle.type === 'transaction') {
      // The router answers an entry without request.method with an error entry
      // and applies the rest: not all-or-nothing. Refuse the whole transaction.
      const i = (bundle.entry ?? []).findIndex((e) => !e?.request?.method || !e.request.url);
      if (i >= 0) {
        return [badRequest(`Bundle.entry[${i}] has no request.method or request.url; nothing was applied`, `Bundle.entry[${i}].request`)];
      }
    }
    const result = await routerPkg.processBatch(req, repo, r, bundle);
    const base = ctx.base();
    for (const e of result.entry ?? []) {
      const res = e.resource;
      if (e.response?.status === '304') {
        delete e.resource;
        // A search's tag, as a read's: what the client sent matched, so it is the current one.
        const inm = bundle.entry?.[result.entry.indexOf(e)]?.request?.ifNoneMatch;
        if (typeof inm === 'string' && !e.response.etag) {
          e.response.etag = inm;
        }
      }
      if (res?.resourceType === 'Bundle' && res.type === 'searchset') {
        e.response.etag = searchEtag(res);
      }
      if (res?.id && res.meta?.versionId && res.resourceType !== 'Bundle' && res.resourceType !== 'OperationOutcome') {
        e.fullUrl = `${base}/${res.resourceType}/${res.id}`;
        e.response.etag = `W/"${res.meta.versionId}"`;
        e.response.lastModified = res.meta.lastUpdated;
        if (e.response.status === '200' || e.response.status === '201') {
          e.response.location = `${res.resourceType}/${res.id}/_history/${res.meta.versionId}`;
        }
      }
      if (e.response?.outcome && isOk(e.response.outcome)) {
        delete e.response.outcome; // ~300 bytes per entry of "All OK"
      }
    }
    return [allOk, result];
  }
}

function pathString(route) {
  return route.path.map((s) => (s.param ? ':' + s.value : s.value)).join('/');
}

// --- CapabilityStatement ------------------------------------------------------

let capabilityCache;

function capabilityStatement(ctx, subsetting) {
  if (!capabilityCache || capabilityCache.base !== ctx.base()) {
    capabilityCache = { base: ctx.base(), resource: buildCapabilityStatement(ctx) };
  }
  return subset(deepClone(capabilityCache.resource), subsetting);
}

function buildCapabilityStatement(ctx) {
  // --leave-out: types the statement does not offer (they still answer).
  // --like: only the types and interactions that server offers.
  const types = (ctx.like ? ctx.like.types : getResourceTypes())
    .filter((t) => !(ctx.leaveOut ?? []).includes(t))
    .sort();
  const all = ['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'create', 'search-type'];
  const interactionsOf = (type) => (ctx.like ? ctx.like.interactions(type) : all).map((code) => ({ code }));
  const systemInteractions = [
    ...(ctx.noTransactions || (ctx.like && !ctx.like.transaction) ? [] : [{ code: 'transaction' }]),
    ...(ctx.like && !ctx.like.batch ? [] : [{ code: 'batch' }]),
  ];
  const certificates = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'Certificates' }] };
  const security = ctx.smart
    ? {
        cors: false,
        extension: [
          {
            url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
            extension: Object.entries(ctx.smart.uris()).map(([url, valueUri]) => ({ url, valueUri })),
          },
        ],
        service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }] }, certificates],
        description:
          'SMART on FHIR (device authorization grant) over mutual TLS: every request but /metadata and ' +
          '/.well-known/smart-configuration needs a bearer access token bound to the client certificate (RFC 8705) ' +
          'with a SMART v2 user/ scope for each resource type and interaction. The token\'s fhirUser is the user.',
      }
    : {
        cors: false,
        service: [certificates],
        description: 'Mutual TLS: the client certificate subject CN names the user (a Practitioner).',
      };
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: ctx.startedAt,
    publisher: 'ehrterm project (test sandbox)',
    kind: 'instance',
    software: { name: 'ehrterm FHIR sandbox', version: `${ctx.version} (@medplum/fhir-router ${routerVersion})` },
    implementation: {
      description: `ehrterm FHIR test sandbox: synthetic data only, TEST USE ONLY${ctx.like ? `; shaped like ${ctx.like.name}'s FHIR API (--like)` : ''}`,
      url: ctx.base(),
    },
    fhirVersion: '4.0.1',
    format: ['json'],
    patchFormat: ['application/json-patch+json'],
    rest: [
      {
        mode: 'server',
        documentation:
          'Search: default _count 20, at most 1000; paging with _offset; _sort, _elements, _summary, _include and ' +
          '_revinclude (no :iterate) on any reference parameter listed, _total. String parameters: starts-with, :contains, :exact. Token: :not. ' +
          'Unknown parameters are ignored unless Prefer: handling=strict. Not supported: chaining, _has, number, ' +
          'quantity, composite and special parameters, system-level search and history. Transactions are atomic.',
        security,
        resource: types.map((type) => {
          const params = usableParams(type);
          const refParams = Object.values(params).filter((p) => p.type === 'reference');
          return {
            type,
            interaction: interactionsOf(type),
            versioning: 'versioned-update',
            readHistory: true,
            updateCreate: true,
            conditionalCreate: true,
            conditionalRead: 'full-support',
            conditionalUpdate: true,
            conditionalDelete: 'single',
            referencePolicy: ['literal', 'local'],
            searchInclude: refParams.map((p) => `${type}:${p.code}`),
            searchParam: Object.values(params).map((p) => ({ name: p.code, type: p.type })),
          };
        }),
        ...(systemInteractions.length ? { interaction: systemInteractions } : {}),
      },
    ],
  };
}

// --- _include / _revinclude ---------------------------------------------------

async function includes(repo, request, matches) {
  const out = [];
  if (!matches.length || (!request.include && !request.revInclude)) {
    return out;
  }
  const seen = new Set(matches.map((r) => `${r.resourceType}/${r.id}`));
  const add = (r) => {
    const key = `${r.resourceType}/${r.id}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(r);
    }
  };
  for (const target of request.include ?? []) {
    const param = getSearchParameters(target.resourceType)?.[target.searchParam];
    for (const resource of matches) {
      for (const ref of evalFhirPath(compiled(param.expression), resource)) {
        const m = /^([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(ref?.reference ?? '');
        if (m && (!target.targetType || target.targetType === m[1]) && repo.peek(m[1], m[2])) {
          add(await repo.readResource(m[1], m[2]));
        }
      }
    }
  }
  for (const target of request.revInclude ?? []) {
    const refs = matches.map((r) => `${r.resourceType}/${r.id}`).join(',');
    const found = await repo.search({
      resourceType: target.resourceType,
      filters: [{ code: target.searchParam, operator: Operator.EQUALS, value: refs }],
    });
    for (const e of found.entry ?? []) {
      add(e.resource);
    }
  }
  return out;
}

module.exports = { createRouter, parseSearch, subset, searchEtag };
