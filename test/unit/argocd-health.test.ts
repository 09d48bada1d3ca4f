// Runs every case of the Argo CD health checks (argocd/resource_customizations/ecs.operator.dev/<Kind>/
// health_test.yaml, Argo CD's own layout) through a Lua VM, as Argo CD does: the object is the global `obj`,
// the script returns {status, message}. fengari is Lua 5.3 and Argo CD's gopher-lua is Lua 5.1, so the scripts
// keep to what both share (checked below). Also: the test data uses only fields the CRDs define, the argocd-cm
// patch carries the scripts as they are (all generated from argocd/health/), and the example Application orders TaskDefinitions before their users.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse, parseAllDocuments } from 'yaml';
import { ARGOCD_DIR, ECS_KINDS, GENERATED, REPO_ROOT, argocdHealthKey } from '../../scripts/sync-packaging.js';

// fengari ships no types; these are the parts of its C-like API used here.
type LuaState = { readonly __brand: 'lua_State' };
interface Fengari {
  to_luastring: (text: string) => Uint8Array;
  lua: {
    LUA_OK: number;
    lua_pushnil: (L: LuaState) => void;
    lua_pushboolean: (L: LuaState, value: boolean) => void;
    lua_pushinteger: (L: LuaState, value: number) => void;
    lua_pushnumber: (L: LuaState, value: number) => void;
    lua_pushstring: (L: LuaState, value: Uint8Array) => void;
    lua_createtable: (L: LuaState, arrayItems: number, fields: number) => void;
    lua_rawseti: (L: LuaState, index: number, key: number) => void;
    lua_setfield: (L: LuaState, index: number, key: Uint8Array) => void;
    lua_setglobal: (L: LuaState, name: Uint8Array) => void;
    lua_getfield: (L: LuaState, index: number, key: Uint8Array) => number;
    lua_istable: (L: LuaState, index: number) => boolean;
    lua_isnil: (L: LuaState, index: number) => boolean;
    lua_tojsstring: (L: LuaState, index: number) => string;
    lua_pop: (L: LuaState, count: number) => void;
    lua_pcall: (L: LuaState, args: number, results: number, handler: number) => number;
  };
  lauxlib: {
    luaL_newstate: () => LuaState;
    luaL_loadstring: (L: LuaState, source: Uint8Array) => number;
    luaL_requiref: (L: LuaState, name: Uint8Array, open: unknown, global: number) => void;
  };
  lualib: Record<'luaopen_base' | 'luaopen_table' | 'luaopen_string' | 'luaopen_math', unknown>;
}
const { lua, lauxlib, lualib, to_luastring } = createRequire(import.meta.url)('fengari') as Fengari;

/** Pushes a JSON value as Argo CD converts it: objects and arrays to tables, whole numbers as integers. */
function push(L: LuaState, value: unknown): void {
  if (value === null || value === undefined) lua.lua_pushnil(L);
  else if (typeof value === 'boolean') lua.lua_pushboolean(L, value);
  else if (typeof value === 'number') (Number.isInteger(value) ? lua.lua_pushinteger : lua.lua_pushnumber)(L, value);
  else if (typeof value === 'string') lua.lua_pushstring(L, to_luastring(value));
  else if (Array.isArray(value)) {
    lua.lua_createtable(L, value.length, 0);
    value.forEach((item, index) => {
      push(L, item);
      lua.lua_rawseti(L, -2, index + 1);
    });
  } else {
    const entries = Object.entries(value as Record<string, unknown>);
    lua.lua_createtable(L, 0, entries.length);
    for (const [key, item] of entries) {
      push(L, item);
      lua.lua_setfield(L, -2, to_luastring(key));
    }
  }
}

interface HealthStatus {
  status: string;
  message: string;
}

/** Runs a health script on `obj` in a VM with only the libraries Argo CD opens for it. */
function runHealthScript(source: string, obj: unknown): HealthStatus {
  const L = lauxlib.luaL_newstate();
  for (const [name, open] of [
    ['_G', lualib.luaopen_base],
    ['table', lualib.luaopen_table],
    ['string', lualib.luaopen_string],
    ['math', lualib.luaopen_math],
  ] as const) {
    lauxlib.luaL_requiref(L, to_luastring(name), open, 1);
    lua.lua_pop(L, 1);
  }
  push(L, obj);
  lua.lua_setglobal(L, to_luastring('obj'));
  if (lauxlib.luaL_loadstring(L, to_luastring(source)) !== lua.LUA_OK || lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK) {
    throw new Error(`Lua error: ${lua.lua_tojsstring(L, -1)}`);
  }
  if (!lua.lua_istable(L, -1)) throw new Error('the health script did not return a table');
  const field = (name: string) => {
    lua.lua_getfield(L, -1, to_luastring(name));
    const text = lua.lua_isnil(L, -1) ? '' : lua.lua_tojsstring(L, -1);
    lua.lua_pop(L, 1);
    return text;
  };
  return { status: field('status'), message: field('message') };
}

interface HealthTest {
  healthStatus: HealthStatus;
  inputPath: string;
}

type Schema = {
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
};

/** Paths of `value` that `schema` does not define (a CRD's structural schema would prune them). */
function unknownFields(value: unknown, schema: Schema, path: string): string[] {
  if (Array.isArray(value)) return schema.items ? value.flatMap((item, i) => unknownFields(item, schema.items!, `${path}[${i}]`)) : [];
  if (value === null || typeof value !== 'object' || schema['x-kubernetes-preserve-unknown-fields']) return [];
  return Object.entries(value).flatMap(([key, item]) => {
    const child = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
    return child ? unknownFields(item, child, `${path}.${key}`) : [`${path}.${key}`];
  });
}

function crdSchema(kind: string): Schema {
  const file = readdirSync(join(REPO_ROOT, 'crds')).find((name) => {
    const crd = parse(readFileSync(join(REPO_ROOT, 'crds', name), 'utf8')) as { spec: { names: { kind: string } } };
    return crd.spec.names.kind === kind;
  });
  const crd = parse(readFileSync(join(REPO_ROOT, 'crds', file!), 'utf8')) as { spec: { versions: { schema: { openAPIV3Schema: Schema } }[] } };
  return crd.spec.versions[0]!.schema.openAPIV3Schema;
}

/** What Lua 5.3 (fengari) accepts but Argo CD's Lua 5.1 does not. */
const LUA_53_ONLY = [
  /\/\//,
  /\bgoto\b/,
  /::\w+::/,
  /\butf8\./,
  /\btable\.(unpack|move)\b/,
  /\bmath\.(type|tointeger)\b/,
  /\bstring\.(pack|unpack)\b/,
  /[&|]|~[^=]|<<|>>/,
];

describe('Argo CD health checks', () => {
  it('cover the five kinds, and nothing else', () => {
    expect(readdirSync(ARGOCD_DIR).sort()).to.deep.equal([...ECS_KINDS].sort());
  });

  for (const kind of ECS_KINDS) {
    describe(kind, () => {
      const dir = join(ARGOCD_DIR, kind);
      const source = readFileSync(join(dir, 'health.lua'), 'utf8');
      const { tests } = parse(readFileSync(join(dir, 'health_test.yaml'), 'utf8')) as { tests: HealthTest[] };

      it('has healthy, progressing and degraded cases (and suspended where the kind can be), and a case for every test data file', () => {
        const statuses = kind === 'ScheduledTask' ? ['Healthy', 'Progressing', 'Degraded', 'Suspended'] : ['Healthy', 'Progressing', 'Degraded'];
        expect(new Set(tests.map((t) => t.healthStatus.status))).to.deep.equal(new Set(statuses));
        expect(tests.map((t) => t.inputPath).sort()).to.deep.equal(
          readdirSync(join(dir, 'testdata'))
            .map((f) => `testdata/${f}`)
            .sort(),
        );
      });

      it('keeps to the Lua 5.1 that Argo CD runs', () => {
        const code = source.replace(/--.*$/gm, '').replace(/"(?:[^"\\]|\\.)*"/g, '""');
        for (const pattern of LUA_53_ONLY) expect(code, `${kind}/health.lua uses ${pattern}`).not.to.match(pattern);
      });

      for (const test of tests) {
        it(`${test.inputPath} is ${test.healthStatus.status}`, () => {
          const obj = parse(readFileSync(join(dir, test.inputPath), 'utf8')) as { kind: string };
          expect(obj.kind).to.equal(kind);
          const { spec, status } = obj as { spec?: unknown; status?: unknown };
          expect(unknownFields({ spec, status }, crdSchema(kind), ''), 'fields the CRD does not define').to.deep.equal([]);
          expect(runHealthScript(source, obj)).to.deep.equal(test.healthStatus);
        });
      }
    });
  }

  it('each health.lua and the argocd-cm patch are generated from argocd/health/ (npm run chart:sync argocd)', () => {
    const { files } = GENERATED.argocd();
    for (const file of files) expect(readFileSync(join(REPO_ROOT, file.path), 'utf8'), file.path).to.equal(file.content);
    const patch = parse(files.find((f) => f.path === 'examples/argocd/argocd-cm-patch.yaml')!.content) as { data: Record<string, string> };
    expect(Object.keys(patch.data).sort()).to.deep.equal(ECS_KINDS.map(argocdHealthKey).sort());
    for (const kind of ECS_KINDS) expect(patch.data[argocdHealthKey(kind)]).to.equal(readFileSync(join(ARGOCD_DIR, kind, 'health.lua'), 'utf8'));
  });
});

describe('Argo CD example Application', () => {
  const WAVE = 'argocd.argoproj.io/sync-wave';
  interface Manifest {
    kind?: string;
    metadata?: { name?: string; annotations?: Record<string, string> };
  }
  interface Application extends Manifest {
    spec: { source: { path: string; directory?: { exclude?: string } } };
  }
  const applications = parseAllDocuments(readFileSync(join(REPO_ROOT, 'examples/argocd/application.yaml'), 'utf8')).map((doc) => doc.toJS() as Application);
  const wave = (obj: Manifest | undefined) => Number(obj?.metadata?.annotations?.[WAVE] ?? 0);
  const chart = applications.find((app) => app.spec.source.path === 'charts/ecs-operator');
  const workloads = applications.find((app) => app.spec.source.path === 'examples');

  /** The manifests the examples Application syncs: examples/ recursively, minus its exclude globs ({a,b}, *). */
  function syncedExamples(): Manifest[] {
    const exclude = (workloads?.spec.source.directory?.exclude ?? '')
      .replace(/^\{|\}$/g, '')
      .split(',')
      .filter(Boolean)
      .map((glob) => new RegExp(`^${glob.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`));
    return readdirSync(join(REPO_ROOT, 'examples'), { recursive: true, encoding: 'utf8' })
      .filter((file) => /\.(ya?ml|json)$/.test(file) && !exclude.some((glob) => glob.test(file)))
      .flatMap((file) => parseAllDocuments(readFileSync(join(REPO_ROOT, 'examples', file), 'utf8')).map((doc) => doc.toJS() as Manifest | null))
      .filter((obj): obj is Manifest => Boolean(obj?.kind));
  }

  it('syncs the chart (with the CRDs) in wave -1, before the ECS resources that need them', () => {
    expect(chart, 'an Application of charts/ecs-operator').not.to.equal(undefined);
    expect(workloads, 'an Application of examples/').not.to.equal(undefined);
    expect(wave(chart)).to.equal(-1);
    expect(wave(chart)).to.be.lessThan(wave(workloads));
  });

  it('syncs each example object once (Argo CD refuses an object that two files define)', () => {
    const keys = syncedExamples().map((obj) => `${obj.kind}/${obj.metadata?.name}`);
    expect(keys.filter((key, index) => keys.indexOf(key) !== index)).to.deep.equal([]);
  });

  it('syncs every TaskDefinition in an earlier wave than the Services, Tasks and ScheduledTasks', () => {
    const examples = syncedExamples();
    expect(
      examples.filter((obj) => obj.kind === 'TaskDefinition'),
      'TaskDefinitions in examples/',
    ).not.to.deep.equal([]);
    const waves = (kinds: string[]) => examples.filter((obj) => kinds.includes(obj.kind!)).map(wave);
    expect(Math.max(-Infinity, ...waves(['TaskDefinition'])), `${WAVE} of TaskDefinitions`).to.be.lessThan(
      Math.min(Infinity, ...waves(['Service', 'Task', 'ScheduledTask'])),
    );
  });
});
