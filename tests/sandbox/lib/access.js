// What a FHIR request does, in the terms both the SMART scope check (smart.js) and a
// server shaped like another one (--like, like.js) need: the resource type and the
// RESTful interaction of the request, or of each entry of a batch or transaction.
'use strict';

/**
 * requestInteractions('PUT', '/Patient/1', body) -> { steps: [{ type, interaction }],
 * bundle: undefined | 'batch' | 'transaction' }. fhirPath is the path under the base,
 * with or without its query. type '*' is a system-level request (search, history, an
 * operation on the base). interaction is a CapabilityStatement code: read, vread,
 * history-instance, history-type, search-type, create, update, patch, delete,
 * operation; for a Bundle posted to the base, its entries' steps.
 */
function requestInteractions(method, fhirPath, body) {
  const parts = String(fhirPath).split('?')[0].split('/').filter(Boolean);
  if (parts.length === 0 && method === 'POST' && body?.resourceType === 'Bundle' && (body.type === 'batch' || body.type === 'transaction')) {
    const steps = [];
    for (const e of Array.isArray(body.entry) ? body.entry : []) {
      const m = String(e?.request?.method ?? '').toUpperCase();
      const url = String(e?.request?.url ?? '');
      // An entry's url is relative to the base, or absolute under it; a nested Bundle
      // is not run by the router, so it asks for nothing.
      const rel = url.replace(/^https?:\/\/[^/]+\/fhir\/?/, '');
      steps.push(...requestInteractions(m, `/${rel}`, undefined).steps);
    }
    return { bundle: body.type, steps };
  }
  const [type, id, op, vid] = parts;
  const one = (t, interaction) => ({ steps: [{ type: t, interaction }] });
  if (!type || type.startsWith('$') || type === '_history' || type === '_search') {
    return one('*', !type && method !== 'POST' ? 'search-type' : type === '_history' ? 'history-type' : type?.startsWith('$') ? 'operation' : 'search-type');
  }
  if (type === 'metadata') {
    return one('*', 'capabilities');
  }
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (id === undefined) {
        return one(type, 'search-type');
      }
      if (id === '_history') {
        return one(type, 'history-type');
      }
      if (id.startsWith('$') || op?.startsWith('$')) {
        return one(type, 'operation');
      }
      if (op === '_history') {
        return one(type, vid === undefined ? 'history-instance' : 'vread');
      }
      return one(type, 'read');
    case 'POST':
      if (id === undefined) {
        return one(type, 'create');
      }
      if (id === '_search') {
        return one(type, 'search-type');
      }
      return one(type, 'operation');
    case 'PUT':
      return one(type, 'update'); // a conditional update (PUT Type?query) too
    case 'PATCH':
      return one(type, 'patch');
    case 'DELETE':
      return one(type, 'delete');
    default:
      return one(type, 'operation');
  }
}

// SMART v2 permission letters: c create, r read, u update, d delete, s search.
const LETTER = {
  read: 'r',
  vread: 'r',
  'history-instance': 'r',
  'history-type': 's',
  'search-type': 's',
  operation: 'r',
  create: 'c',
  update: 'u',
  patch: 'u',
  delete: 'd',
};

module.exports = { requestInteractions, LETTER };
