// What deploys AssistDesk, checked offline: no Docker engine and no Bicep compiler run here. The Dockerfile is
// parsed and linted with the libraries of the VS Code Docker tooling (dockerfile-ast, dockerfile-utils); the
// Bicep is parsed with the tree-sitter Bicep grammar and cross-checked against the bot's own code (the
// settings it reads, the paths it serves, its storage names, the permissions it asks for) and against the
// documented built-in role ids; docs/ADMIN.md is checked against src/config.ts and the message catalogue.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { DockerfileParser, type Copy, type JSONInstruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { Language, Parser, type Node } from 'web-tree-sitter';
import catalogue from '../src/i18n/catalogues/en-US.json';
import { SESSIONS_CONTAINER } from '../src/store/azure/azureStore';
import { REPORTS_QUEUE } from '../src/store/azure/queueOutbox';

const ROOT = path.resolve(__dirname, '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/**
 * Built-in Azure role definition ids, as Microsoft's lists of built-in roles give them
 * (MicrosoftDocs/azure-docs, articles/role-based-access-control/built-in-roles/storage.md and containers.md).
 */
const BUILT_IN_ROLES: Record<string, string> = {
  'Storage Blob Data Contributor': 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  AcrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
};

/** Every environment variable src/config.ts reads (its helpers take the name first), and the Teams Toolkit aliases. */
function configVariables(): Set<string> {
  const source = read('src/config.ts');
  const names = new Set([...source.matchAll(/\b(?:value|required|httpsUrl|httpsOrLoopbackUrl|number)\('([A-Za-z_][A-Za-z0-9_]*)'/g)].map((m) => m[1]));
  const aliases = /const BOT_ALIASES[^{]*\{([^}]*)\}/.exec(source)?.[1] ?? '';
  for (const [, alias, name] of aliases.matchAll(/(\w+): '(\w+)'/g)) names.add(alias).add(name);
  for (const file of ['src/config.ts', 'src/cli/backup.ts', 'src/cli/export.ts']) {
    for (const [, name] of read(file).matchAll(/\benv\.([A-Za-z_][A-Za-z0-9_]*)/g)) names.add(name);
  }
  return names;
}

/** The rows of the markdown table under `heading` in docs/ADMIN.md, as cells. */
function adminTable(heading: string): string[][] {
  const lines = read('docs/ADMIN.md').split('\n');
  const start = lines.indexOf(heading);
  assert.ok(start >= 0, `docs/ADMIN.md has no "${heading}"`);
  const rows: string[][] = [];
  let inTable = false;
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('#')) break;
    if (!line.startsWith('|')) {
      if (inTable) break;
      continue;
    }
    inTable = true;
    rows.push(line.slice(1, -1).split('|').map((cell) => cell.trim()));
  }
  return rows.slice(2); // the header and the separator
}

const backticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  const dockerfile = DockerfileParser.parse(text);
  const stages = () => {
    const byStage = new Map<string, ReturnType<typeof dockerfile.getInstructions>>();
    let current = '';
    for (const instruction of dockerfile.getInstructions()) {
      if (instruction.getKeyword() === 'FROM') {
        current = dockerfile.getFROMs().find((from) => from.getRange().start.line === instruction.getRange().start.line)?.getBuildStage() ?? '';
        byStage.set(current, []);
      }
      byStage.get(current)?.push(instruction);
    }
    return byStage;
  };

  test('lints clean with dockerfile-utils, which does find a broken instruction', () => {
    assert.deepEqual(validate(text).map((d) => `${d.range.start.line + 1}: ${d.message}`), []);
    assert.ok(validate(text.replace('HEALTHCHECK --interval=30s', 'HEALTHCHECK --interval=soon')).length > 0);
  });

  test('builds in stages on the Node LTS that package.json asks for', () => {
    const froms = dockerfile.getFROMs();
    assert.deepEqual(froms.map((from) => from.getBuildStage()), ['deps', 'build', 'runtime']);
    const image = dockerfile.getARGs().find((arg) => arg.getProperty()?.getName() === 'NODE_IMAGE')?.getProperty()?.getValue();
    const major = Number(/^node:(\d+)-/.exec(image ?? '')?.[1]);
    const [min, max] = [...(JSON.parse(read('package.json')).engines.node as string).matchAll(/\d+/g)].map((m) => Number(m[0]));
    assert.ok(major >= min && major < max, `${image} is not within engines ${min}..${max}`);
    for (const from of froms) assert.equal(from.getImage(), '${NODE_IMAGE}');
  });

  test('runtime gets the production dependencies, built with the native toolchain, and lib/ only', () => {
    const byStage = stages();
    const depsRuns = byStage.get('deps')!.filter((i) => i.getKeyword() === 'RUN').map((i) => i.getRawArgumentsContent() ?? '').join('\n');
    const words = depsRuns.split(/\s+/);
    for (const tool of ['python3', 'make', 'g++']) assert.ok(words.includes(tool), `the deps stage does not install ${tool}`);
    assert.match(depsRuns, /npm ci --omit=dev\b/);
    const copies = byStage.get('runtime')!.filter((i) => i.getKeyword() === 'COPY') as Copy[];
    const fromStage = copies.filter((c) => c.getFromFlag()).map((c) => `${c.getFromFlag()!.getValue()}:${c.getArguments()[0].getValue()}`);
    assert.deepEqual(fromStage, ['deps:/app/node_modules', 'build:/app/lib']);
  });

  test('runs as a non-root user, checks /healthz and starts as npm start does', () => {
    const runtime = stages().get('runtime')!;
    const keywords = runtime.map((i) => i.getKeyword());
    const user = runtime.find((i) => i.getKeyword() === 'USER')?.getArgumentsContent();
    assert.ok(user && !['root', '0'].includes(user), `USER is ${user}`);
    assert.ok(keywords.indexOf('USER') < keywords.indexOf('CMD'));
    const healthcheck = runtime.find((i) => i.getKeyword() === 'HEALTHCHECK')?.getRawArgumentsContent() ?? '';
    assert.match(healthcheck, /\/healthz'/);
    assert.match(read('src/index.ts'), /server\.get\('\/healthz'/);
    const cmd = runtime.find((i) => i.getKeyword() === 'CMD') as JSONInstruction;
    assert.equal(cmd.getJSONStrings().map((s) => s.getJSONValue()).join(' '), JSON.parse(read('package.json')).scripts.start);
  });

  test('.dockerignore keeps secrets, data and dev files out, and nothing the build copies', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const name of ['.env', '.data/', 'node_modules/', 'test/', '*.pem']) assert.ok(ignored.includes(name), `${name} is not ignored`);
    const sources = (dockerfile.getInstructions().filter((i) => i.getKeyword() === 'COPY') as Copy[])
      .filter((c) => !c.getFromFlag())
      .flatMap((c) => c.getArguments().slice(0, -1).map((a) => a.getValue()));
    assert.deepEqual([...new Set(sources)].sort(), ['package-lock.json', 'package.json', 'src', 'tsconfig.json']);
    for (const source of sources) {
      assert.ok(existsSync(path.join(ROOT, source)), `${source} does not exist`);
      assert.ok(!ignored.some((p) => p === source || p === `${source}/` || (p.startsWith('*') && source.endsWith(p.slice(1)))), `${source} is excluded by .dockerignore`);
    }
  });
});

// The Bicep files, read with the tree-sitter Bicep grammar.
let parser: Parser;
const BICEP_FILES = ['infra/main.bicep', 'infra/modules/storage.bicep', 'infra/modules/monitoring.bicep', 'infra/modules/containerApp.bicep', 'infra/modules/bot.bicep', 'infra/modules/entraApp.bicep'];

before(async () => {
  await Parser.init();
  parser = new Parser();
  parser.setLanguage(await Language.load(require.resolve('tree-sitter-bicep/tree-sitter-bicep.wasm')));
});

/** The grammar predates `extension <alias>` (Bicep's name for what was `provider '<name>'`), so that one statement is read in its older form. */
const parse = (source: string): Node => {
  const tree = parser.parse(source.replace(/^extension (\w+)$/gm, "provider '$1'"));
  assert.ok(tree);
  return tree.rootNode;
};
const syntaxErrors = (root: Node) => {
  const found: string[] = [];
  const walk = (node: Node) => {
    if (node.type === 'ERROR' || node.isMissing) found.push(`${node.startPosition.row + 1}:${node.startPosition.column + 1} ${node.text.slice(0, 60)}`);
    for (const child of node.children) if (child) walk(child);
  };
  walk(root);
  return found;
};
const named = (node: Node, type: string) => node.namedChildren.filter((c): c is Node => c?.type === type);
const unquote = (text: string) => text.replace(/^'|'$/g, '');
/** The value of `key` in a Bicep object literal. */
const property = (object: Node, key: string): Node | undefined => {
  const pair = named(object, 'object_property').find((p) => unquote(p.namedChildren[0]!.text) === key);
  return pair?.namedChildren[1] ?? undefined;
};
const keys = (object: Node) => named(object, 'object_property').map((p) => unquote(p.namedChildren[0]!.text));
/** Each `param`: its name, and whether it may be left out (a default, or a nullable type). */
const params = (root: Node) =>
  named(root, 'parameter_declaration').map((p) => ({
    name: p.namedChildren[0]!.text,
    optional: p.namedChildren.length > 2 || p.namedChildren[1]!.namedChildren[0]?.type === 'nullable_type',
  }));
/** Each `module`: its symbolic name, file and the object of `params` it passes. */
const modules = (root: Node) =>
  named(root, 'module_declaration').map((m) => {
    const body = m.descendantsOfType('object')[0]!;
    return { name: m.namedChildren[0]!.text, file: unquote(m.namedChildren[1]!.text), params: property(body, 'params')! };
  });
const outputs = (root: Node) => named(root, 'output_declaration').map((o) => o.namedChildren[0]!.text);
const main = () => parse(read('infra/main.bicep'));
const appSettings = () => property(modules(main()).find((m) => m.name === 'app')!.params, 'settings')!;

describe('infra/ Bicep', () => {
  test('every Bicep file parses, and the parser does reject a broken one', () => {
    for (const file of BICEP_FILES) assert.deepEqual(syntaxErrors(parse(read(file))), [], file);
    assert.ok(syntaxErrors(parse(read('infra/main.bicep').replace('targetScope = ', 'targetScope '))).length > 0);
  });

  test('each module exists and gets every parameter it requires, and only ones it declares', () => {
    const used = modules(main());
    assert.deepEqual(used.map((m) => m.file).sort(), BICEP_FILES.filter((f) => f.includes('/modules/')).map((f) => f.replace('infra/', '')).sort());
    for (const module of used) {
      const declared = params(parse(read(path.join('infra', module.file))));
      const passed = keys(module.params);
      assert.deepEqual(passed.filter((p) => !declared.some((d) => d.name === p)), [], `${module.file}: passed but not declared`);
      assert.deepEqual(declared.filter((d) => !d.optional && !passed.includes(d.name)).map((d) => d.name), [], `${module.file}: required but not passed`);
    }
  });

  test('main.parameters.json and infra/deploy.sh set only declared parameters, and every required one', () => {
    const declared = params(main());
    const file = Object.keys(JSON.parse(read('infra/main.parameters.json')).parameters);
    assert.deepEqual(file.filter((p) => !declared.some((d) => d.name === p)), []);
    assert.deepEqual(declared.filter((d) => !d.optional && !file.includes(d.name)).map((d) => d.name), []);
    const script = read('infra/deploy.sh');
    const overrides = [...(/--parameters containerImage=[\s\S]*?--output none/.exec(script)?.[0] ?? '').matchAll(/(\w+)="/g)].map((m) => m[1]);
    assert.ok(overrides.length >= 4, 'deploy.sh passes its parameters');
    assert.deepEqual(overrides.filter((p) => !declared.some((d) => d.name === p)), []);
    const read_ = [...script.matchAll(/\$\(output (\w+)\)/g)].map((m) => m[1]);
    assert.deepEqual(read_.filter((o) => !outputs(main()).includes(o)), [], 'deploy.sh reads outputs main.bicep has');
    execFileSync('bash', ['-n', path.join(ROOT, 'infra/deploy.sh')]);
  });

  test('the Graph extension alias is declared in bicepconfig.json, pointing at the Microsoft Graph v1.0 types', () => {
    const config = JSON.parse(read('infra/bicepconfig.json')) as { extensions: Record<string, string> };
    const aliases = BICEP_FILES.flatMap((f) => [...read(f).matchAll(/^extension (\w+)$/gm)].map((m) => m[1]));
    assert.deepEqual(aliases, ['microsoftGraphV1']);
    assert.match(config.extensions.microsoftGraphV1, /^br:mcr\.microsoft\.com\/bicep\/extensions\/microsoftgraph\/v1\.0:\d+\.\d+\.\d+$/);
  });

  test('every setting the Container App gets is one the bot reads and the guide documents, and none is a secret', () => {
    const settings = keys(appSettings());
    const secretRefs = [...read('infra/modules/containerApp.bicep').matchAll(/name: '([A-Za-z_]+)', secretRef:/g)].map((m) => m[1]);
    assert.deepEqual(secretRefs, ['APPLICATIONINSIGHTS_CONNECTION_STRING']);
    const known = configVariables();
    const documented = adminTable('## Configuration variables').flatMap((row) => backticked(row[0]));
    for (const name of [...settings, ...secretRefs]) {
      assert.ok(known.has(name), `${name} is not read by src/config.ts`);
      assert.ok(documented.includes(name), `${name} is not in docs/ADMIN.md's table`);
    }
    for (const secret of ['AZURE_CLIENT_SECRET', 'MicrosoftAppPassword', 'AZURE_STORAGE_CONNECTION_STRING', 'CertificateThumbprint']) {
      assert.ok(!settings.includes(secret), `${secret} is set by the Bicep`);
    }
  });

  test("the bot's identity is the managed identity everywhere: Azure Bot, botbuilder, Graph's federated credential", () => {
    const settings = appSettings();
    const value = (key: string) => property(settings, key)?.text;
    assert.equal(value('MicrosoftAppType'), "'UserAssignedMSI'");
    assert.equal(value('MicrosoftAppId'), 'identity.properties.clientId');
    assert.equal(value('MANAGED_IDENTITY_CLIENT_ID'), 'identity.properties.clientId');
    const bot = modules(main()).find((m) => m.name === 'bot')!;
    assert.equal(property(bot.params, 'identityClientId')?.text, 'identity.properties.clientId');
    assert.match(read('infra/modules/bot.bicep'), /msaAppType: 'UserAssignedMSI'\n\s+msaAppId: identityClientId\n\s+msaAppMSIResourceId: identityId/);
    const entra = modules(main()).find((m) => m.name === 'entraApp')!;
    assert.equal(property(entra.params, 'managedIdentityPrincipalId')?.text, 'identity.properties.principalId');
    assert.match(read('infra/modules/entraApp.bicep'), /audiences: \['api:\/\/AzureADTokenExchange'\]\n\s+issuer: issuer\n\s+subject: managedIdentityPrincipalId/);
  });

  test('the probes ask the paths and port the bot serves', () => {
    const containerApp = read('infra/modules/containerApp.bicep');
    const served = [...read('src/index.ts').matchAll(/server\.get\('(\/\w+)'/g)].map((m) => m[1]);
    assert.equal(/var readinessPath = '([^']+)'/.exec(containerApp)?.[1], '/readyz');
    assert.equal(/var livenessPath = '([^']+)'/.exec(containerApp)?.[1], '/healthz');
    assert.deepEqual(served.sort(), ['/healthz', '/readyz']);
    for (const [type, pathVar] of [['Startup', 'livenessPath'], ['Liveness', 'livenessPath'], ['Readiness', 'readinessPath']]) {
      assert.match(containerApp, new RegExp(`type: '${type}'\\n\\s+httpGet: \\{\\n\\s+path: ${pathVar}\\n\\s+port: port`));
    }
    const port = /var port = (\d+)/.exec(containerApp)?.[1];
    assert.equal(/value\('PORT'\) \?\? '(\d+)'/.exec(read('src/config.ts'))?.[1], port);
    assert.match(read('Dockerfile'), new RegExp(`EXPOSE ${port}\\n`));
    assert.match(containerApp, /targetPort: port/);
  });

  test('role assignments use the documented built-in role ids, and no other role', () => {
    const storage = read('infra/modules/storage.bicep');
    assert.equal(/var storageBlobDataContributor = '([^']+)'/.exec(storage)?.[1], BUILT_IN_ROLES['Storage Blob Data Contributor']);
    assert.equal(/var storageQueueDataContributor = '([^']+)'/.exec(storage)?.[1], BUILT_IN_ROLES['Storage Queue Data Contributor']);
    assert.equal(/var acrPull = '([^']+)'/.exec(read('infra/modules/containerApp.bicep'))?.[1], BUILT_IN_ROLES.AcrPull);
    const guids = BICEP_FILES.flatMap((f) => [...read(f).matchAll(/'([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'/g)].map((m) => m[1]));
    const graphAppId = '00000003-0000-0000-c000-000000000000'; // Microsoft Graph's well-known app id, not a role
    assert.deepEqual([...new Set(guids.filter((g) => g !== graphAppId))].sort(), Object.values(BUILT_IN_ROLES).sort());
    for (const role of ['storageBlobDataContributor', 'storageQueueDataContributor']) {
      assert.match(storage, new RegExp(`scope: account\\n\\s+name: guid\\(account\\.id, principalId, ${role}\\)\\n\\s+properties: \\{\\n\\s+roleDefinitionId: subscriptionResourceId\\('Microsoft\\.Authorization/roleDefinitions', ${role}\\)`));
    }
  });

  test("storage has the bot's container and queue, no shared keys, and soft delete with versioning", () => {
    const storage = read('infra/modules/storage.bicep');
    assert.match(storage, new RegExp(`containers@[\\d-]+' = \\{\\n\\s+parent: blobService\\n\\s+name: '${SESSIONS_CONTAINER}'`));
    assert.match(storage, new RegExp(`queues@[\\d-]+' = \\{\\n\\s+parent: queueService\\n\\s+name: '${REPORTS_QUEUE}'`));
    for (const setting of [/allowSharedKeyAccess: false/, /allowBlobPublicAccess: false/, /isVersioningEnabled: true/, /deleteRetentionPolicy: \{\n\s+enabled: true/, /containerDeleteRetentionPolicy: \{\n\s+enabled: true/, /restorePolicy: \{\n\s+enabled: true\n\s+days: recoveryDays - 1/, /level: 'CanNotDelete'/]) {
      assert.match(storage, setting);
    }
  });

  test('the alerts watch the metrics the bot exports, by their agreed names', () => {
    const monitoring = read('infra/modules/monitoring.bicep');
    assert.match(monitoring, /customMetrics \| where name == "assistdesk\.reports" and tostring\(customDimensions\.outcome\) == "failed"/);
    assert.match(monitoring, /customMetrics \| where name == "assistdesk\.outbox\.oldest_age"/);
  });

  test('the Graph permissions granted are the application permissions the guide lists, and cover every call the code makes', () => {
    const defaults = params(main()).find((p) => p.name === 'graphAppRoles');
    assert.ok(defaults?.optional);
    const declaration = named(main(), 'parameter_declaration').find((p) => p.namedChildren[0]!.text === 'graphAppRoles')!;
    const granted = named(declaration.namedChildren[2]!, 'string').map((s) => unquote(s.text));
    const listed = adminTable('### The permissions, and why each').filter((row) => row[1] === 'Application').map((row) => backticked(row[0])[0]);
    assert.deepEqual([...granted].sort(), [...listed].sort());
    const coveredBy: Record<string, string> = { 'User.ReadBasic.All': 'User.Read.All' };
    const needed = [...read('src/graph/graphErrors.ts').matchAll(/^\s+\w+: '([A-Za-z.]+)',$/gm)].map((m) => m[1]);
    assert.ok(needed.length >= 5);
    for (const permission of needed) assert.ok(granted.includes(coveredBy[permission] ?? permission), `${permission} is not granted`);
  });
});

describe('docs/ADMIN.md', () => {
  const rows = adminTable('## Configuration variables');

  test('documents every variable src/config.ts reads, and the agreed ones, each with a default and an example', () => {
    const known = configVariables();
    assert.ok(known.size >= 40 && known.has('PORT') && known.has('BOT_ID') && known.has('AZURE_STORAGE_QUEUE_URL'), 'the variables were found in src/config.ts');
    const documented = rows.flatMap((row) => backticked(row[0]));
    const missing = [...known].filter((name) => !documented.includes(name));
    assert.deepEqual(missing, [], 'variables missing from docs/ADMIN.md');
    for (const row of rows) {
      assert.equal(row.length, 5, row[0]);
      assert.ok(row[1] && row[2] && row[4], `${row[0]} lacks a default, an example or a meaning`);
    }
  });

  test('says which variables infra/ sets, exactly', () => {
    const settings = keys(appSettings());
    assert.ok(settings.includes('AZURE_CLIENT_ID'));
    for (const row of rows) {
      const [name] = backticked(row[0]);
      const setByInfra = row[3] !== 'no';
      const inBicep = settings.includes(name) || name === 'APPLICATIONINSIGHTS_CONNECTION_STRING';
      assert.equal(setByInfra, inBicep, `${name}: the guide says "${row[3]}"`);
    }
  });

  test("explains the messages a technician may be stuck on, quoting them as the bot says them", () => {
    const guide = read('docs/ADMIN.md');
    const messages = catalogue as Record<string, string>;
    const explained = [
      'graph.unauthorized', 'graph.forbidden', 'access.notTechnician', 'access.tenant', 'identity.missing', 'request.notAllowed',
      'request.off', 'request.noChannel', 'store.unavailable', 'store.full', 'store.requestedNotSaved', 'graph.busy', 'budget.waiting',
      'budget.abandoned', 'graph.timeout', 'graph.unavailable', 'session.unconfirmed', 'graph.badRequest', 'session.assistanceError',
      'session.linkRefused', 'signIn.failed', 'signIn.wrongUser', 'record.title.failed', 'error.generic', 'error.unknownAction',
    ];
    for (const key of explained) {
      const fixedPart = messages[key].split('{')[0].trim();
      assert.ok(fixedPart.length >= 15, `${key} has too little fixed text to find`);
      assert.ok(guide.includes(fixedPart), `docs/ADMIN.md does not quote ${key}: "${fixedPart}"`);
    }
  });
});
