// In-memory storage for oidc-provider without a size bound (the bundled development adapter keeps
// only the 1000 most recent entries, which a load test outgrows: sessions and grants would be evicted
// and logins would fail for reasons that have nothing to do with the provider). Entries expire with
// their TTL; a sweep drops the expired ones.

const store = new Map(); // "Model:id" -> { payload, expiresAt }
const uidIndex = new Map(); // session uid -> session id
const userCodeIndex = new Map(); // user code -> device code id
const grantIndex = new Map(); // grantId -> Set of "Model:id"

const grantable = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);
const now = () => Date.now();

function live(key) {
  const entry = store.get(key);
  if (!entry) return undefined;
  if (entry.expiresAt <= now()) {
    store.delete(key);
    return undefined;
  }
  return entry.payload;
}

function forget(key, payload) {
  store.delete(key);
  if (payload?.grantId) grantIndex.get(payload.grantId)?.delete(key);
}

const sweep = setInterval(() => {
  const t = now();
  for (const [key, entry] of store) if (entry.expiresAt <= t) forget(key, entry.payload);
  for (const [grantId, keys] of grantIndex) if (keys.size === 0) grantIndex.delete(grantId);
}, 10_000);
sweep.unref();

export default class MemoryAdapter {
  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    const key = this.key(id);
    store.set(key, { payload, expiresAt: typeof expiresIn === 'number' ? now() + expiresIn * 1000 : Infinity });
    if (this.model === 'Session' && payload.uid) uidIndex.set(payload.uid, id);
    if (payload.userCode) userCodeIndex.set(payload.userCode, id);
    if (grantable.has(this.model) && payload.grantId) {
      let keys = grantIndex.get(payload.grantId);
      if (!keys) grantIndex.set(payload.grantId, (keys = new Set()));
      keys.add(key);
    }
  }

  async find(id) {
    return live(this.key(id));
  }

  async findByUid(uid) {
    const id = uidIndex.get(uid);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode(userCode) {
    const id = userCodeIndex.get(userCode);
    return id === undefined ? undefined : this.find(id);
  }

  async consume(id) {
    const payload = live(this.key(id));
    if (payload) payload.consumed = Math.floor(now() / 1000);
  }

  async destroy(id) {
    const key = this.key(id);
    forget(key, store.get(key)?.payload);
  }

  async revokeByGrantId(grantId) {
    for (const key of grantIndex.get(grantId) ?? []) store.delete(key);
    grantIndex.delete(grantId);
  }
}
