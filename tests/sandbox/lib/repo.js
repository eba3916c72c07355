// The sandbox's FHIR store: @medplum/fhir-router's MemoryRepository with the
// pieces a conformant server needs and the in-memory one leaves out.
//
//  - Transactions really are all-or-nothing: MemoryRepository.withTransaction()
//    just runs the callback, so a failing entry left the earlier entries applied.
//    Here every write inside a transaction is journalled and undone on failure.
//  - Versions are "1", "2", ... (ETag W/"2"), lastUpdated and meta.author are set
//    by the server, never taken from the client.
//  - Writes through the REST API are validated against the R4 profiles.
//  - A read of a deleted resource answers 410 Gone instead of 404.
//  - search() pages before it clones (MemoryRepository deep-clones every match
//    and then slices, which is slow with 10,000 patients) and sorts on all
//    _sort keys together instead of re-sorting once per key.
//  - Searches are fast enough for --scale 10000: a search parameter's FHIRPath
//    is narrowed to the searched type (R4's "patient" expression covers 30
//    types and took 2 ms per resource to evaluate), and an index of the
//    references each resource holds picks the candidates for a reference
//    search (Observation?patient=...) before the router's matcher runs.
//  - readHistory() no longer reverses the stored history in place.
//  - snapshot()/reset() restore the loaded data for the control port's /reset:
//    every resource changed since the snapshot is put back as it was (the first
//    state of each is kept when it is first written), so a reset costs what was
//    changed, not what was loaded, and the reference index stays built.
//
// It relies on MemoryRepository's two private maps (resources, history) of
// @medplum/fhir-router 4.5.2, which package.json pins exactly.
'use strict';

const { core, router } = require('./deps');
const {
  OperationOutcomeError,
  badRequest,
  deepClone,
  evalFhirPath,
  getExpressionForResourceType,
  globalSchema,
  gone,
  matchesSearchRequest,
  notFound,
  parseFhirPath,
  splitSearchOnComma,
  stringify,
  toPeriod,
  validateResource,
} = core;

class SandboxRepository extends router.MemoryRepository {
  constructor() {
    super();
    /** Validate creates and updates against the R4 profiles (off while loading). */
    this.validateWrites = false;
    /** Reference to the Practitioner making the current request, for meta.author. */
    this.author = undefined;
    /** Map of "Type/id" -> state before the current transaction touched it. */
    this.journal = undefined;
    /** Map of "Type/id" -> state at the snapshot, for each resource written since; set by snapshot(). */
    this.changed = undefined;
    /** resourceType -> ids in their order at the snapshot (a Map's order is the search order). */
    this.order = undefined;
    /** resourceType -> Map(reference string -> Set of ids), built on first use. */
    this.refIndex = new Map();
    /** The next place in the store's order (SEQ): a search of candidates answers in that order. */
    this.seq = 0;
    /** "Type code" of search parameters already narrowed to their type. */
    this.narrowed = new Set();
  }

  typeMap(maps, resourceType) {
    let m = maps.get(resourceType);
    if (!m) {
      m = new Map();
      maps.set(resourceType, m);
    }
    return m;
  }

  /** Every create and update ends here (MemoryRepository.updateResource calls it). */
  async createResource(resource) {
    const result = JSON.parse(stringify(resource)); // drops empty values, as MemoryRepository does
    if (!result.id) {
      result.id = this.generateId();
    }
    const { resourceType, id } = result;
    if (typeof resourceType !== 'string' || !globalSchema.types[resourceType]) {
      throw new OperationOutcomeError(badRequest(`Unknown resource type: ${resourceType}`));
    }
    const history = this.typeMap(this.history, resourceType).get(id) ?? [];
    result.meta = { ...result.meta, versionId: String(history.length + 1), lastUpdated: new Date().toISOString() };
    if (this.author) {
      result.meta.author = this.author;
    } else {
      delete result.meta.author;
    }
    if (this.validateWrites) {
      validateResource(result); // throws an OperationOutcomeError (400) listing the problems
    }
    this.remember(resourceType, id);
    const before = this.resources.get(resourceType)?.get(id);
    result[SEQ] = before?.[SEQ] ?? ++this.seq; // an update keeps its place, as Map.set does
    this.reindex(before, result);
    this.typeMap(this.resources, resourceType).set(id, result);
    history.push(result);
    this.typeMap(this.history, resourceType).set(id, history);
    return deepClone(result);
  }

  /**
   * Stores a resource as version 1 while loading: no validation, no copies
   * (the loader hands over objects it no longer touches). Returns false when
   * the id is already taken, so duplicates across sample files keep the first.
   */
  load(resource, lastUpdated) {
    const { resourceType, id } = resource;
    const current = this.typeMap(this.resources, resourceType);
    if (current.has(id)) {
      return false;
    }
    resource.meta = { ...resource.meta, versionId: '1', lastUpdated };
    resource[SEQ] = ++this.seq;
    current.set(id, resource);
    this.typeMap(this.history, resourceType).set(id, [resource]);
    this.refIndex.delete(resourceType);
    return true;
  }

  async readResource(resourceType, id) {
    const resource = this.resources.get(resourceType)?.get(id);
    if (!resource) {
      // The history outlives a delete, so a known id without a current version was deleted.
      throw new OperationOutcomeError(this.history.get(resourceType)?.get(id)?.length ? gone : notFound);
    }
    return deepClone(resource);
  }

  /** The current version without a copy, for conditional-request checks. */
  peek(resourceType, id) {
    return this.resources.get(resourceType)?.get(id);
  }

  async deleteResource(resourceType, id) {
    if (!this.resources.get(resourceType)?.get(id)) {
      throw new OperationOutcomeError(notFound);
    }
    this.remember(resourceType, id);
    this.reindex(this.resources.get(resourceType).get(id), undefined);
    this.resources.get(resourceType).delete(id);
  }

  async readHistory(resourceType, id, options) {
    await this.readResource(resourceType, id);
    const versions = (this.history.get(resourceType)?.get(id) ?? []).slice().reverse();
    const offset = options?.offset ?? 0;
    const page = versions.slice(offset, options?.limit === undefined ? undefined : offset + options.limit);
    return {
      resourceType: 'Bundle',
      type: 'history',
      total: versions.length,
      entry: page.map((v) => ({ resource: deepClone(v) })),
    };
  }

  async search(searchRequest) {
    const { resourceType } = searchRequest;
    for (const { code } of [...(searchRequest.filters ?? []), ...(searchRequest.sortRules ?? [])]) {
      this.narrow(resourceType, code);
    }
    const candidates = this.referenceCandidates(searchRequest);
    const store = this.resources.get(resourceType);
    // With candidates, visit only them: walking a million Observations to skip all but a
    // few cost 50 ms a search, eight times over in a set of vital signs' conditional creates.
    // Candidates are put in the store's order (SEQ), so the answer is the walk's.
    const pool = candidates ? [...candidates].map((id) => [id, store?.get(id)]).filter(([, r]) => r) : store ?? [];
    if (candidates) {
      pool.sort(([, a], [, b]) => a[SEQ] - b[SEQ]); // the store's order, as the walk gives it
    }
    const matched = [];
    for (const [, resource] of pool) {
      // extraMatch: FHIR string matching added by conformance.js
      if (matchesSearchRequest(resource, searchRequest) && (!searchRequest.extraMatch || searchRequest.extraMatch(resource))) {
        matched.push(resource);
      }
    }
    const sorted = searchRequest.sortRules?.length ? sortResources(matched, searchRequest.sortRules) : matched;
    const offset = searchRequest.offset ?? 0;
    const count = searchRequest.count;
    const page = sorted.slice(offset, count === undefined ? undefined : offset + count);
    return {
      resourceType: 'Bundle',
      type: 'searchset',
      total: matched.length,
      entry: page.length ? page.map((resource) => ({ resource: deepClone(resource) })) : undefined,
    };
  }

  /** Replaces a search parameter's expression by the part for this type (same meaning, far cheaper). */
  narrow(resourceType, code) {
    const key = `${resourceType} ${code}`;
    if (this.narrowed.has(key)) {
      return;
    }
    this.narrowed.add(key);
    const params = globalSchema.types[resourceType]?.searchParams;
    const p = params?.[code];
    if (typeof p?.expression === 'string') {
      const e = getExpressionForResourceType(resourceType, p.expression);
      if (e && e !== p.expression) {
        params[code] = { ...p, expression: e };
      }
    }
  }

  // --- the reference index ----------------------------------------------------
  // Every string shaped like a relative reference ("Patient/123") anywhere in a
  // resource, so a reference filter (an exact match on such strings) can be
  // answered from a superset of candidates; the matcher still decides. The
  // values of the resource's own identifiers are in it too (as ID_KEY + value,
  // lower case), for `identifier=system|value`: a booking's If-None-Exist guard
  // (Appointment?identifier=...) need not run the matcher over every Appointment.

  /** Ids that may match the first plain reference or identifier filter, or undefined to scan all. */
  referenceCandidates(searchRequest) {
    const { resourceType } = searchRequest;
    for (const f of searchRequest.filters ?? []) {
      const param = globalSchema.types[resourceType]?.searchParams?.[f.code];
      if (f.operator !== 'eq' || typeof f.value !== 'string') {
        continue;
      }
      let keys;
      if (param?.type === 'reference' && f.code !== '_compartment') {
        keys = splitSearchOnComma(f.value);
        if (!keys.every((v) => REF_SHAPE.test(v))) {
          continue;
        }
      } else if (f.code === 'identifier' && param?.type === 'token' && param.expression === `${resourceType}.identifier`) {
        // system|value or value; system| alone (any value) or an escaped \| or \, cannot use the index
        keys = splitSearchOnComma(f.value).map((v) => (v.includes('|') ? v.slice(v.indexOf('|') + 1) : v));
        if (keys.some((v) => !v || v.includes('\\'))) {
          continue;
        }
        keys = keys.map((v) => ID_KEY + v.toLowerCase());
      } else {
        continue;
      }
      const values = keys;
      const index = this.referenceIndex(resourceType);
      const ids = new Set();
      for (const v of values) {
        for (const id of index.get(v) ?? []) {
          ids.add(id);
        }
      }
      return ids;
    }
    return undefined;
  }

  referenceIndex(resourceType) {
    let index = this.refIndex.get(resourceType);
    if (!index) {
      index = new Map();
      this.refIndex.set(resourceType, index);
      for (const resource of this.resources.get(resourceType)?.values() ?? []) {
        for (const r of referencesIn(resource)) {
          addTo(index, r, resource.id);
        }
      }
    }
    return index;
  }

  /** Keeps a built index in step when `before` is replaced by `after` (either may be undefined). */
  reindex(before, after) {
    const index = this.refIndex.get((before ?? after)?.resourceType);
    if (!index) {
      return;
    }
    for (const r of before ? referencesIn(before) : []) {
      index.get(r)?.delete(before.id);
    }
    for (const r of after ? referencesIn(after) : []) {
      addTo(index, r, after.id);
    }
  }

  /** Number of current resources per type, for the control port's /status. */
  counts() {
    const out = {};
    for (const [type, m] of this.resources) {
      if (m.size) {
        out[type] = m.size;
      }
    }
    return out;
  }

  // --- transactions -------------------------------------------------------

  async withTransaction(callback) {
    if (this.journal) {
      return callback(undefined); // nested (a conditional create inside a transaction): same unit
    }
    this.journal = new Map();
    try {
      const result = await callback(undefined);
      this.journal = undefined;
      return result;
    } catch (err) {
      this.rollback();
      throw err;
    }
  }

  /** Called before every write: the state before it, once per transaction and once since the snapshot. */
  remember(resourceType, id) {
    const key = `${resourceType}/${id}`;
    for (const journal of [this.journal, this.changed]) {
      if (journal && !journal.has(key)) {
        journal.set(key, {
          resourceType,
          id,
          resource: this.resources.get(resourceType)?.get(id),
          historyLength: this.history.get(resourceType)?.get(id)?.length ?? 0,
        });
      }
    }
  }

  rollback() {
    const undo = [...this.journal.values()].reverse();
    this.journal = undefined;
    undo.forEach((state) => this.restore(state));
  }

  /** Puts a resource back as a journal recorded it; history arrays only ever grow, so they are cut back. */
  restore({ resourceType, id, resource, historyLength }) {
    const current = this.typeMap(this.resources, resourceType);
    this.reindex(current.get(id), resource);
    if (resource) {
      current.set(id, resource);
    } else {
      current.delete(id);
    }
    const history = this.history.get(resourceType)?.get(id);
    if (history) {
      history.length = historyLength;
      if (!historyLength) {
        this.history.get(resourceType).delete(id);
      }
    }
  }

  // --- reset ----------------------------------------------------------------
  // Stored resources are never changed in place (every write stores a new
  // object, and a history array only grows), so the state to return to is, for
  // each resource written since the snapshot, the one before its first write.

  snapshot() {
    this.changed = new Map();
    this.order = new Map([...this.resources].map(([type, m]) => [type, [...m.keys()]]));
  }

  reset() {
    this.journal = undefined;
    const reordered = new Set();
    for (const state of this.changed.values()) {
      if (state.resource && !this.resources.get(state.resourceType)?.has(state.id)) {
        reordered.add(state.resourceType); // deleted since: it comes back at the end of the map
      }
      this.restore(state);
    }
    this.changed.clear();
    // Back in the loaded order, so that searches list things as they did.
    for (const type of reordered) {
      const m = this.resources.get(type);
      this.resources.set(type, new Map(this.order.get(type).map((id) => [id, m.get(id)])));
    }
  }
}

const asts = new Map();
/** A parsed FHIRPath expression, cached (evalFhirPath on a string parses it every time). */
function compiled(expression) {
  let ast = asts.get(expression);
  if (!ast) {
    ast = parseFhirPath(expression);
    asts.set(expression, ast);
  }
  return ast;
}

const REF_SHAPE = /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/;
const ID_KEY = '\u0000identifier '; // no reference starts so
/** A stored resource's place in its type's store (first written first); never serialised. */
const SEQ = Symbol('store order');

function referencesIn(resource) {
  const out = new Set();
  for (const i of [resource.identifier ?? []].flat()) {
    if (typeof i?.value === 'string') {
      out.add(ID_KEY + i.value.toLowerCase());
    }
  }
  const walk = (v) => {
    if (typeof v === 'string') {
      if (REF_SHAPE.test(v)) {
        out.add(v);
      }
    } else if (Array.isArray(v)) {
      v.forEach(walk);
    } else if (v && typeof v === 'object') {
      Object.values(v).forEach(walk);
    }
  };
  walk(resource);
  return out;
}

function addTo(index, key, id) {
  let ids = index.get(key);
  if (!ids) {
    ids = new Set();
    index.set(key, ids);
  }
  ids.add(id);
}

/**
 * Sorts on all rules at once (the first rule decides, later ones break ties).
 * Dates compare as instants, everything else as lower-case text; resources
 * without a value sort last in either direction. Array.prototype.sort is
 * stable, so ties keep insertion order and paging stays consistent.
 */
function sortResources(resources, sortRules) {
  const resourceType = resources[0]?.resourceType;
  const keyed = resources.map((resource) => ({
    resource,
    keys: sortRules.map((rule) => sortKey(resource, resourceType, rule.code)),
  }));
  keyed.sort((a, b) => {
    for (let i = 0; i < sortRules.length; i++) {
      const x = a.keys[i];
      const y = b.keys[i];
      if (x === y) {
        continue;
      }
      if (x === undefined) {
        return 1;
      }
      if (y === undefined) {
        return -1;
      }
      return (x < y ? -1 : 1) * (sortRules[i].descending ? -1 : 1);
    }
    return 0;
  });
  return keyed.map((k) => k.resource);
}

function sortKey(resource, resourceType, code) {
  const param = globalSchema.types[resourceType]?.searchParams?.[code];
  if (!param?.expression) {
    return undefined;
  }
  const values = evalFhirPath(compiled(param.expression), resource);
  if (!values.length) {
    return undefined;
  }
  if (param.type === 'date') {
    const starts = values.map((v) => toPeriod(v)?.start).filter(Boolean);
    return starts.length ? starts.sort()[0] : undefined;
  }
  const v = values[0];
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
    return String(v).toLowerCase();
  }
  // HumanName, CodeableConcept, ...: sort on their text as the search index sees it.
  return JSON.stringify(v).toLowerCase();
}

module.exports = { SandboxRepository, compiled };
